// Types of bin/bundle.js (plain JavaScript: it runs before any TypeScript loader).

/** The marker `npm run build` writes into the bundle's folder (dist/build.json). */
export declare const BUILD_MARKER: string;
/** The top folders whose TypeScript the bundle is built from. */
export declare const BUNDLE_SOURCES: readonly string[];
/** Bundles the sources into outdir (default dist/); with marker, also writes outdir/build.json. Resolves with the folder. */
export declare function buildBundle(options?: { outdir?: string; marker?: boolean }): Promise<string>;
/** The CLI's `main`, from the bundle when possible. */
export declare function loadCli(): Promise<(argv: string[]) => Promise<number>>;
