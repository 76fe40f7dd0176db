import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  sanitizeMkdocsYml,
  validateMkdocsYaml,
} from '@backstage/plugin-techdocs-node/alpha';
import {
  findMkdocsConfigs,
  mkdocsFindings,
} from './__testUtils__/techdocsPolicy';

// Security property 11 (docs/security.md): the handbook is built from this repository only,
// with an mkdocs configuration TechDocs allows.

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const configs = findMkdocsConfigs(REPO_ROOT);

function warningsOf(run: (logger: any) => Promise<void>) {
  const warnings: string[] = [];
  const logger: any = {
    warn: (m: string) => warnings.push(m),
    info: () => {},
    debug: () => {},
    error: (m: string) => warnings.push(m),
  };
  logger.child = () => logger;
  return run(logger).then(() => warnings);
}

describe('mkdocs configurations in the repository', () => {
  it('include the handbook at the root', () => {
    expect(configs.map(c => path.relative(REPO_ROOT, c))).toContain(
      'mkdocs.yml',
    );
  });

  it.each(configs.map(c => [path.relative(REPO_ROOT, c), c]))(
    '%s holds only allowed keys, techdocs-core, no hooks/INHERIT, docs inside the repository',
    async (_rel, config) => {
      expect(mkdocsFindings(config, REPO_ROOT)).toEqual([]);
      // Backstage's own checks agree: docs_dir stays inside, and its sanitizer removes nothing.
      await expect(
        validateMkdocsYaml(
          path.dirname(config),
          fs.readFileSync(config, 'utf8'),
        ),
      ).resolves.not.toThrow();
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mkdocs-'));
      const copy = path.join(tmp, 'mkdocs.yml');
      fs.copyFileSync(config, copy);
      const warnings = await warningsOf(logger =>
        sanitizeMkdocsYml(copy, logger),
      );
      expect(
        warnings.filter(w => /Removed|not allowed|DANGEROUS/.test(w)),
      ).toEqual([]);
      expect(YAML.parse(fs.readFileSync(copy, 'utf8'))).toEqual(
        YAML.parse(fs.readFileSync(config, 'utf8')),
      );
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  );
});

describe('TechDocs sources', () => {
  const catalogFiles = [
    path.join(REPO_ROOT, 'catalog-info.yaml'),
    ...fs
      .readdirSync(path.join(REPO_ROOT, 'catalog'), { recursive: true })
      .map(f => path.join(REPO_ROOT, 'catalog', String(f)))
      .filter(f => /\.ya?ml$/.test(f)),
  ];

  it('every techdocs-ref is a dir: reference to an mkdocs configuration in this repository', () => {
    const refs: string[] = [];
    for (const file of catalogFiles) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const ref =
          doc.toJS()?.metadata?.annotations?.['backstage.io/techdocs-ref'];
        if (!ref) continue;
        refs.push(ref);
        expect(ref).toMatch(/^dir:/);
        const dir = path.resolve(path.dirname(file), ref.slice('dir:'.length));
        expect(path.relative(REPO_ROOT, dir).startsWith('..')).toBe(false);
        expect(configs).toContain(path.join(dir, 'mkdocs.yml'));
      }
    }
    expect(refs.length).toBeGreaterThan(0);
  });

  it('the portal builds docs itself, locally, never from a prebuilt external site', () => {
    const config = YAML.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
    );
    expect(config.techdocs.builder).toBe('local');
    expect(config.techdocs.generator.runIn).toBe('local');
    const production = YAML.parse(
      fs.readFileSync(
        path.join(REPO_ROOT, 'app-config.production.yaml'),
        'utf8',
      ),
    );
    expect(production?.techdocs?.builder ?? 'local').toBe('local');
  });
});

describe('mkdocsFindings refuses hostile configurations', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkdocs-bad-'));
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs/index.md'), '# x\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = (yaml: string) => {
    fs.writeFileSync(path.join(dir, 'mkdocs.yml'), yaml);
    return mkdocsFindings(path.join(dir, 'mkdocs.yml'), dir).join('\n');
  };
  const base = 'site_name: x\nplugins: [techdocs-core]\n';

  it('accepts the minimal configuration', () => {
    expect(check(base)).toBe('');
  });
  it.each([
    ['hooks', `${base}hooks: [evil.py]\n`, /hooks is not allowed/],
    [
      'INHERIT',
      `${base}INHERIT: ../other/mkdocs.yml\n`,
      /INHERIT is not allowed/,
    ],
    [
      'an unknown key',
      `${base}extra_javascript: [x.js]\n`,
      /key extra_javascript/,
    ],
    [
      'another plugin',
      'site_name: x\nplugins: [techdocs-core, macros]\n',
      /plugin macros/,
    ],
    [
      'no techdocs-core',
      'site_name: x\nplugins: [search]\n',
      /plugin search is not allowed[\s\S]*techdocs-core is missing/,
    ],
    [
      'a theme with custom templates',
      `${base}theme: { name: material, custom_dir: overrides }\n`,
      /theme key custom_dir is not allowed/,
    ],
    ['another theme', `${base}theme: readthedocs\n`, /theme must be a mapping/],
    ['an !ENV tag', `${base}site_url: !ENV [SITE, x]\n`, /YAML tag !ENV/],
    ['a python tag', `${base}copyright: !!python/name:os.system\n`, /YAML tag/],
    [
      'docs_dir outside',
      `${base}docs_dir: ../elsewhere\n`,
      /docs_dir \.\.\/elsewhere leaves/,
    ],
    ['docs_dir absolute', `${base}docs_dir: /etc\n`, /docs_dir \/etc leaves/],
  ])('refuses %s', (_what, yaml, expected) => {
    expect(check(yaml)).toMatch(expected);
  });
  it('refuses a symbolic link inside the docs directory', () => {
    fs.symlinkSync('/etc/hostname', path.join(dir, 'docs/host.md'));
    expect(check(base)).toMatch(/docs\/host\.md is a symbolic link/);
  });
});
