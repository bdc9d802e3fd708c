// The build writes to --outDir (CMake passes ${CMAKE_BINARY_DIR}/web/dist; default ./dist), which
// touchline-server serves with --web_root. Nothing is inlined into index.html: the server's
// Content-Security-Policy allows scripts and styles from 'self' only.
import { defineConfig } from "vite";

declare const process: { env: Record<string, string | undefined> };
const api = `http://127.0.0.1:${process.env.TOUCHLINE_HTTP_PORT ?? "8080"}`;

export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  // `npm run dev`: the app on vite's dev server, API calls proxied to a running server's
  // --http_listen (TOUCHLINE_HTTP_PORT, default 8080). The tests never use it.
  server: { proxy: { "/touchline.v1.": { target: api, changeOrigin: false } } },
});
