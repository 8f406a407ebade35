import { defineConfig } from '@playwright/test'

/**
 * End-to-end tests in Debian Chromium against a real `shelfscope serve` started by globalSetup
 * (never a downloaded browser). Run `npm run build` first: the server serves web/dist.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'first-run', testMatch: /first-run\.spec\.ts/ },
    { name: 'app', testMatch: /app\.spec\.ts/, dependencies: ['first-run'] },
    // Adds accounts of its own; no other spec counts users.
    { name: 'users', testMatch: /users\.spec\.ts/, dependencies: ['first-run'] },
    // After `app`: that spec checks the library still holds exactly the seeded photos.
    { name: 'library', testMatch: /library\.spec\.ts/, dependencies: ['app'] },
    // After `library`: imports raccoon photos that spec uploads a few of (they are reused, not stored twice).
    { name: 'io', testMatch: /io\.spec\.ts/, dependencies: ['library'] },
    // The editor adds datasets, classes and boxes of its own: it runs after the specs that count them.
    { name: 'editor', testMatch: /editor\.spec\.ts/, dependencies: ['library'] },
    // Adds classes and a dataset of its own, like the editor spec.
    { name: 'label-set', testMatch: /label-set\.spec\.ts/, dependencies: ['library'] },
    // Makes its own polygon dataset and class; it needs only the signed-in admin.
    { name: 'polygon', testMatch: /polygon\.spec\.ts/, dependencies: ['first-run'] },
    // Copy/paste, nudge, the context menu and attributes, on a dataset of its own.
    { name: 'editor-tools', testMatch: /editor-tools\.spec\.ts/, dependencies: ['library'] },
    // Adds a dataset, classes and an export job of its own: after the specs that count them.
    { name: 'webgaps', testMatch: /webgaps\.spec\.ts/, dependencies: ['library'] },
    // Reads the models folder global-setup seeded; changes nothing.
    { name: 'ai-models', testMatch: /ai-models\.spec\.ts/, dependencies: ['first-run'] },
    // Installs tiny models and adds datasets, classes and boxes of its own: after every spec that counts them.
    { name: 'ai', testMatch: /ai\.spec\.ts/, dependencies: ['ai-models', 'webgaps', 'editor-tools', 'label-set', 'io'] },
    // Imports a dataset of its own and registers a model (which the AI model list then shows): after `ai`.
    { name: 'training', testMatch: /\/training\.spec\.ts$/, dependencies: ['ai'] },
    // Tests the model the training spec registered (and trains a second one to compare).
    { name: 'models', testMatch: /\/models\.spec\.ts$/, dependencies: ['training'] },
    // Product recognition: imports the products set and a dataset of shelf photos of its own: after every spec that counts.
    { name: 'products', testMatch: /products\.spec\.ts/, dependencies: ['models'] },
    // Embedding training on ten products of its own (a product dataset holding only them), with a tiny
    // DINOv2 installed into the models folder: after the products spec, which counts the catalogue.
    { name: 'pr-training', testMatch: /pr-training\.spec\.ts/, dependencies: ['products'] },
    // Embeddings and matching on six products and two shelf photos of its own, with the tiny DINOv2:
    // after every spec that counts products, cutouts or models.
    { name: 'pr-matching', testMatch: /pr-matching\.spec\.ts/, dependencies: ['pr-training'] },
  ],
})
