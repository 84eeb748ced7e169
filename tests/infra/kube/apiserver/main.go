// kube-apiserver for the tests: the upstream command, built from the Go
// module proxy by tests/infra/kube.ts (which writes this module's go.mod).
// With CMDB_EXIT_ON_STDIN_EOF=1 it stops itself (SIGTERM) when its stdin
// closes, so a server started by a test run never outlives the run.
package main

import (
	"io"
	"os"
	"syscall"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	if os.Getenv("CMDB_EXIT_ON_STDIN_EOF") == "1" {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}()
	}
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
