declare module 'node-gyp-build' {
  interface NodeGypBuild {
    (dir: string): unknown;
    resolve(dir: string): string;
    path(dir: string): string;
  }
  const load: NodeGypBuild;
  export default load;
}
