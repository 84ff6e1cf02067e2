import { defineConfig } from 'vite';

// The demo app: client/index.html built to dist/client, which the server serves at '/'.
export default defineConfig({
  root: 'client',
  build: { outDir: '../dist/client', emptyOutDir: true },
  server: { port: 5173 },
});
