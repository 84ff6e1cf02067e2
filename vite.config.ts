import { defineConfig, type UserConfig } from 'vite';

// Two builds from one file:
// - the app (default mode): client/index.html → dist/client, served by the server at '/';
//   client/public (the embedding example) is copied as is.
// - the library (`vite build --mode lib`): client/index.ts → dist/client/lib/tandem-editor.js,
//   one self-contained ES module with createEditor and <tandem-editor>; declarations come from
//   tsconfig.client.json.
const app: UserConfig = {
  root: 'client',
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { port: 5173 },
};

const library: UserConfig = {
  publicDir: false,
  build: {
    outDir: 'dist/client/lib',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    lib: { entry: 'client/index.ts', formats: ['es'], fileName: () => 'tandem-editor.js' },
  },
};

export default defineConfig(({ mode }) => (mode === 'lib' ? library : app));
