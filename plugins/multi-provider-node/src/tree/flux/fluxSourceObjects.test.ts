import { sourceAddress } from './fluxSourceObjects';

describe('sourceAddress', () => {
  it("is each source kind's own address, without credentials", () => {
    expect(
      sourceAddress('GitRepository', {
        spec: { url: 'https://bot:s3cret@git.example.test/org/repo.git' },
      }),
    ).toBe('https://git.example.test/org/repo.git');
    expect(
      sourceAddress('GitRepository', {
        spec: { url: 'ssh://git@git.example.test/org/repo.git' },
      }),
    ).toBe('ssh://git@git.example.test/org/repo.git');
    expect(
      sourceAddress('OCIRepository', {
        spec: { url: 'oci://registry.example.test/org/manifests' },
      }),
    ).toBe('oci://registry.example.test/org/manifests');
    expect(
      sourceAddress('Bucket', {
        spec: {
          endpoint: 'minio.example.test:9000',
          bucketName: 'tree',
          insecure: true,
        },
      }),
    ).toBe('http://minio.example.test:9000/tree');
    expect(
      sourceAddress('ExternalArtifact', {
        status: { artifact: { url: 'http://sc/externalartifact/x.tar.gz' } },
      }),
    ).toBe('http://sc/externalartifact/x.tar.gz');
    expect(
      sourceAddress('Bucket', { spec: { endpoint: 'e' } }),
    ).toBeUndefined();
    expect(sourceAddress('HelmChart', { spec: { url: 'x' } })).toBeUndefined();
  });
});
