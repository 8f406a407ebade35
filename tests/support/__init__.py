"""What the tests share, and benches may use: builders of real images, datasets and archives, signed-in
clients, job harnesses and throwaway servers. Fixtures stay in the conftest modules; helpers live here."""
