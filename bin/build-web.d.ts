// Types of bin/build-web.js (plain JavaScript: `npm ci` runs it before any TypeScript loader).

export interface WebBuildInfo {
  builtAt: string;
  /** The entry script and the stylesheet index.html loads (`ui/app-HASH.js`). */
  entry: string;
  stylesheet: string;
  files: Array<{ file: string; bytes: number; gzip: number }>;
  /** Gzip bytes of every script and stylesheet, and of what the first page loads (entry + stylesheet). */
  gzipTotal: number;
  gzipFirstLoad: number;
}
export declare const WEB_ENTRY: string;
/** dist/web: where `npm run build:web` writes and `cmdb serve` reads by default. */
export declare const WEB_DIST: string;
/** Bundles web/ into outdir (default dist/web), swapped in whole. */
export declare function buildWeb(options?: { outdir?: string; minify?: boolean }): Promise<WebBuildInfo>;
/** The npm script: builds when web/ exists; 0 or 1. */
export declare function main(): Promise<number>;
