/**
 * The class colour palette, the same list and order as the server's (src/shelfscope/od/classes/colors.py;
 * a test keeps them equal). The server gives a new class without a colour the first one no class has
 * yet, and generated colours after these; the web only offers these in the colour picker.
 */
export const CLASS_PALETTE = [
  '#ef4444', '#bef264', '#2563eb', '#c4b5fd', '#16a34a', '#c026d3', '#f59e0b', '#2dd4bf',
  '#0ea5e9', '#f472b6', '#84cc16', '#fca5a5', '#8b5cf6', '#c084fc', '#facc15', '#d97706',
  '#0d9488', '#7dd3fc', '#db2777', '#0284c7', '#818cf8', '#86efac', '#f87171', '#fdba74',
] as const
