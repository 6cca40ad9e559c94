/** esbuild's `.css: 'text'` loader: a stylesheet import is its text. */
declare module '*.css' {
  const text: string;
  export default text;
}
