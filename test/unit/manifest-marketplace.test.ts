/**
 * What the Marketplace and VS Code read from package.json beyond contributed commands: the icon,
 * links, keywords, changelog, workspace trust and virtual-workspace support, and the walkthrough.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { COMMANDS } from '../../src/vscode/ids';

interface Capability {
  supported: boolean | 'limited';
  description?: string;
  restrictedConfigurations?: string[];
}
interface Step {
  id: string;
  title: string;
  description: string;
  media: { image: string | Record<string, string>; altText: string };
}
interface Manifest {
  version: string;
  icon: string;
  homepage: string;
  repository: { type: string; url: string };
  bugs: { url: string };
  keywords: string[];
  scripts: Record<string, string>;
  capabilities: { untrustedWorkspaces: Capability; virtualWorkspaces: Capability };
  contributes: {
    walkthroughs: { id: string; title: string; steps: Step[] }[];
    configuration: { properties: Record<string, unknown> };
  };
}

const repoRoot = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const REPOSITORY = 'https://github.com/latent-explorer/latent-explorer';

describe('package.json for the Marketplace', () => {
  it('icon is a 128×128 PNG', () => {
    const png = PNG.sync.read(readFileSync(join(repoRoot, pkg.icon)));
    assert.deepEqual([png.width, png.height], [128, 128]);
  });

  it('repository, bugs and homepage point at the GitHub repository; keywords name the formats and projections', () => {
    assert.deepEqual(pkg.repository, { type: 'git', url: `${REPOSITORY}.git` });
    assert.equal(pkg.bugs.url, `${REPOSITORY}/issues`);
    assert.ok(pkg.homepage.startsWith(REPOSITORY), pkg.homepage);
    for (const keyword of ['autoencoder', 'latent space', 'umap', 't-sne', 'pca', 'onnx', 'keras', 'tensorflow.js', 'embedding']) {
      assert.ok(pkg.keywords.includes(keyword), keyword);
    }
  });

  it('npm run package needs no --allow-missing-repository and lets vsce point README pictures at the repository', () => {
    assert.ok(!pkg.scripts.package.includes('--allow-missing-repository'), pkg.scripts.package);
    assert.ok(!pkg.scripts.package.includes('--no-rewrite-relative-links'), pkg.scripts.package);
  });

  it('CHANGELOG.md has an Unreleased section and one for the current version', () => {
    const changelog = readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /^## Unreleased$/m);
    assert.ok(changelog.includes(`\n## ${pkg.version}\n`), `no "## ${pkg.version}" heading`);
  });
});

describe('package.json capabilities', () => {
  it('untrustedWorkspaces is limited, says why, and restricts only declared settings', () => {
    const { untrustedWorkspaces } = pkg.capabilities;
    assert.equal(untrustedWorkspaces.supported, 'limited');
    assert.match(untrustedWorkspaces.description ?? '', /never runs code/);
    const declared = Object.keys(pkg.contributes.configuration.properties);
    assert.ok((untrustedWorkspaces.restrictedConfigurations ?? []).length > 0);
    for (const setting of untrustedWorkspaces.restrictedConfigurations ?? []) assert.ok(declared.includes(setting), setting);
  });

  it('virtualWorkspaces is off, with the reason', () => {
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, false);
    assert.match(pkg.capabilities.virtualWorkspaces.description ?? '', /local disk/);
  });
});

describe('contributes.walkthroughs', () => {
  const [walkthrough] = pkg.contributes.walkthroughs;
  const commandIds = new Set<string>(Object.values(COMMANDS));

  it('one walkthrough: explorer, brush, noise, compare, own model', () => {
    assert.equal(pkg.contributes.walkthroughs.length, 1);
    assert.deepEqual(walkthrough.steps.map((step) => step.id), ['openExplorer', 'brush', 'noise', 'compare', 'ownModel']);
  });

  it('every step has a picture with alt text and a link to a contributed command', () => {
    for (const step of walkthrough.steps) {
      assert.ok(step.media.altText.length > 0, step.id);
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((match) => match[1]);
      assert.ok(links.length > 0, `${step.id} links no command`);
      for (const id of links) assert.ok(commandIds.has(id), `${step.id} links ${id}, which is not contributed`);
    }
  });

  it('every step\'s picture, for every theme it names, is a PNG in the repository', () => {
    for (const step of walkthrough.steps) {
      const images = typeof step.media.image === 'string' ? [step.media.image] : Object.values(step.media.image);
      for (const image of images) {
        const png = PNG.sync.read(readFileSync(join(repoRoot, image)));
        assert.ok(png.width > 0 && png.height > 0, `${step.id}: ${image}`);
      }
    }
  });

  it('the last step names every model format the explorer reads', () => {
    const ownModel = walkthrough.steps[walkthrough.steps.length - 1].description;
    for (const format of ['model.json', 'ONNX', '.keras', '.h5']) assert.ok(ownModel.includes(format), format);
  });
});
