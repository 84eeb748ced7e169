// etcd for the tests: the upstream server, built from the Go module proxy by
// tests/infra/kube.ts (which writes this module's go.mod). With
// CMDB_EXIT_ON_STDIN_EOF=1 it stops itself (SIGTERM) when its stdin closes.
package main

import (
	"io"
	"os"
	"syscall"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	if os.Getenv("CMDB_EXIT_ON_STDIN_EOF") == "1" {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}()
	}
	etcdmain.Main(os.Args)
}
