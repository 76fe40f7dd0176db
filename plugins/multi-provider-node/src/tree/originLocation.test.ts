import type { TreeOrigin } from './GitopsTreeProvider';
import {
  gitWebAddress,
  originFileLocation,
  originWebPage,
  parseFluxRevision,
} from './originLocation';

const git = (url: string, revision = 'main@sha1:abc123'): TreeOrigin => ({
  kind: 'flux',
  location: 'GitRepository/flux-system/tenant',
  revision,
  url,
});

describe('originFileLocation', () => {
  it.each([
    [
      'https://github.com/org/repo.git',
      'url:https://github.com/org/repo/blob/abc123/apps/a.yaml',
      'url:https://github.com/org/repo/tree/abc123/apps/',
    ],
    [
      'ssh://git@gitlab.example.test/group/sub/repo.git',
      'url:https://gitlab.example.test/group/sub/repo/-/blob/abc123/apps/a.yaml',
      'url:https://gitlab.example.test/group/sub/repo/-/tree/abc123/apps/',
    ],
    [
      'git@codeberg.org:org/repo.git',
      'url:https://codeberg.org/org/repo/src/commit/abc123/apps/a.yaml',
      'url:https://codeberg.org/org/repo/src/commit/abc123/apps/',
    ],
  ])(
    'a Git repository on a known host (%s): its file page at the commit',
    (url, location, sourceLocation) => {
      expect(originFileLocation(git(url), 'apps/a.yaml')).toEqual({
        location,
        sourceLocation,
      });
    },
  );

  it('a Git repository on a host whose web UI is not known: the repository URL', () => {
    expect(
      originFileLocation(
        git('https://git.example.test/platform.git'),
        'a.yaml',
      ),
    ).toEqual({
      location: 'url:https://git.example.test/platform',
      sourceLocation: 'url:https://git.example.test/platform',
    });
  });

  it('never keeps credentials written in a remote', () => {
    const found = originFileLocation(
      git('https://user:token@github.com/org/repo'),
      'a.yaml',
    );
    expect(JSON.stringify(found)).not.toContain('token');
    expect(found.location).toBe(
      'url:https://github.com/org/repo/blob/abc123/a.yaml',
    );
  });

  it('a directory is located by its tree page', () => {
    expect(
      originFileLocation(git('https://github.com/org/repo'), 'apps/web', {
        directory: true,
      }),
    ).toEqual({
      location: 'url:https://github.com/org/repo/tree/abc123/apps/web',
      sourceLocation: 'url:https://github.com/org/repo/tree/abc123/apps/web/',
    });
  });

  it('OCI, Bucket and ExternalArtifact sources: their own address', () => {
    const flux = (kind: string, url: string, revision: string): TreeOrigin => ({
      kind: 'flux',
      location: `${kind}/flux-system/x`,
      revision,
      url,
    });
    expect(
      originFileLocation(
        flux(
          'OCIRepository',
          'oci://registry.example.test/org/manifests',
          'latest@sha256:beef',
        ),
        'apps/a.yaml',
      ),
    ).toEqual({
      location: 'oci:registry.example.test/org/manifests@sha256:beef',
    });
    expect(
      originFileLocation(
        flux('Bucket', 'https://minio.example.test/tree', 'sha256:beef'),
        'apps/a.yaml',
      ),
    ).toEqual({ location: 'url:https://minio.example.test/tree/apps/a.yaml' });
    expect(
      originFileLocation(
        flux(
          'ExternalArtifact',
          'http://source-controller.flux-system.svc/externalartifact/x.tar.gz',
          'sha256:beef',
        ),
        'a.yaml',
      ),
    ).toEqual({
      location:
        'url:http://source-controller.flux-system.svc/externalartifact/x.tar.gz',
    });
  });

  it('the configured repository wins over the origin, GitHub-style when its host does not say', () => {
    expect(
      originFileLocation(
        git('https://git.example.test/platform.git'),
        'a.yaml',
        {
          repoUrl: 'https://code.example.test/org/platform',
          branch: 'trunk',
        },
      ).location,
    ).toBe('url:https://code.example.test/org/platform/blob/abc123/a.yaml');
    // A local folder names no commit: the configured branch.
    expect(
      originFileLocation(
        { kind: 'local', location: '/srv/tree', revision: 'working-copy' },
        'a.yaml',
        { repoUrl: 'https://github.com/org/platform', branch: 'trunk' },
      ).location,
    ).toBe('url:https://github.com/org/platform/blob/trunk/a.yaml');
  });

  it('without any address: the local file, or the Flux source by name', () => {
    expect(
      originFileLocation(
        { kind: 'local', location: '/srv/tree', revision: 'working-copy' },
        'a.yaml',
      ),
    ).toEqual({ location: 'file:/srv/tree/a.yaml' });
    expect(
      originFileLocation(
        {
          kind: 'flux',
          location: 'GitRepository/flux-system/x',
          revision: 'main@sha1:1',
        },
        'a.yaml',
      ),
    ).toEqual({ location: 'flux:GitRepository/flux-system/x' });
  });
});

describe('originWebPage', () => {
  it('follows the branch, not the commit', () => {
    expect(
      originWebPage(
        git('https://github.com/org/repo', 'refs/heads/release@sha1:abc'),
        'apps',
        'tree',
      ),
    ).toBe('https://github.com/org/repo/tree/release/apps');
    expect(
      originWebPage(git('https://git.example.test/x.git'), 'a', 'blob'),
    ).toBeUndefined();
  });
});

describe('parseFluxRevision and gitWebAddress', () => {
  it('split what Flux writes', () => {
    expect(parseFluxRevision('main@sha1:abc')).toEqual({
      ref: 'main',
      digest: 'sha1:abc',
    });
    expect(parseFluxRevision('sha256:abc')).toEqual({ digest: 'sha256:abc' });
    expect(parseFluxRevision('working-copy')).toEqual({});
    expect(gitWebAddress('file:///srv/repo.git')).toBeUndefined();
    expect(gitWebAddress('https://gitlab.example.test:8443/a/b.git')).toEqual({
      url: 'https://gitlab.example.test:8443/a/b',
      host: 'gitlab',
    });
  });
});
