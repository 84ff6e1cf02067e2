import { defineConfig, type UserConfig } from 'vite';

// Three builds from one file:
// - the app (default mode): client/index.html → dist/client, served by the server at '/';
//   client/public (the embedding example) is copied as is.
// - the script-tag library (`vite build --mode lib`): client/index.ts →
//   dist/client/lib/tandem-editor.js, one self-contained ES module (Yjs and TipTap inside) with
//   createEditor and <tandem-editor>, served at /lib/tandem-editor.js.
// - the npm package (`vite build --mode package`): the entry points `tandem/editor`,
//   `tandem/element` and `tandem/react` → dist/lib/*.js, with Yjs, TipTap, y-websocket,
//   y-indexeddb, y-protocols, lib0 and React left as imports, so the app's bundler puts one copy
//   of each in the app (two copies of Yjs break `instanceof` checks). Declarations for both
//   libraries come from tsconfig.client.json.
const app: UserConfig = {
  root: 'client',
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { port: 5173 },
};

const scriptTagLibrary: UserConfig = {
  publicDir: false,
  build: {
    outDir: 'dist/client/lib',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    lib: { entry: 'client/index.ts', formats: ['es'], fileName: () => 'tandem-editor.js' },
  },
};

/** Packages the app provides (peer dependencies), with their subpaths (`lib0/decoding`, `react/jsx-runtime`). */
export const PEER_PACKAGES = ['yjs', 'y-protocols', 'y-websocket', 'y-indexeddb', 'lib0', 'react', 'react-dom'];
const isPeer = (id: string): boolean => id.startsWith('@tiptap/') || PEER_PACKAGES.some((name) => id === name || id.startsWith(`${name}/`));

const npmPackage: UserConfig = {
  publicDir: false,
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    lib: {
      entry: { editor: 'client/editor.ts', element: 'client/element.ts', react: 'client/react/index.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: { external: isPeer },
  },
};

export default defineConfig(({ mode }) => (mode === 'lib' ? scriptTagLibrary : mode === 'package' ? npmPackage : app));
