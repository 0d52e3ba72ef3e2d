// `podpath import` / `podpath export --yaml` against real files in a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from '../../../main/cli/importExport';
import { runCli, type CliIo } from '../../../main/cli/run';

const VXLAN = path.resolve(__dirname, '../../../assets/labs/flannel-vxlan-2node.podlab.json');

let dir: string;
let cwd: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-cli-'));
  cwd = process.cwd();
  process.chdir(dir);
  fs.copyFileSync(VXLAN, 'lab.podlab.json');
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

const io: CliIo = { readFile: (p) => fs.readFileSync(p, 'utf8'), now: () => 0 };
const run = (...argv: string[]) => runCli(argv, io);
const read = (p: string) => fs.readFileSync(p, 'utf8');

const DEPLOY = `# kubectl apply -f deploy.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  labels:
    app: web
    version: v2
spec:
  nodeName: node-2
  containers:
  - name: web
    ports:
    - name: http
      containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: http
`;

describe('podpath import', () => {
  it('merges the YAML into the lab in place and says what it did', () => {
    fs.writeFileSync('deploy.yaml', DEPLOY);
    const r = run('import', 'lab.podlab.json', 'deploy.yaml');
    expect(r).toEqual({
      code: 0,
      stdout:
        'imported 2 objects from deploy.yaml into lab.podlab.json: 1 added, 1 replaced\n' +
        '  added     Service shop/web\n' +
        '  replaced  Pod shop/web-1\n',
      stderr: '',
    });
    const lab = JSON.parse(read('lab.podlab.json')) as { objects: { kind: string; spec: unknown }[] };
    expect(lab.objects.map((o) => o.kind)).toEqual(['Namespace', 'Pod', 'Pod', 'Pod', 'Service']);
    expect((lab.objects[1]?.spec as { nodeName: string }).nodeName).toBe('node-2');
    // the result is a valid lab the other commands read
    expect(run('validate', 'lab.podlab.json').code).toBe(0);
    expect(fs.readdirSync('.').sort()).toEqual(['deploy.yaml', 'lab.podlab.json']); // no temp file left
  });

  it('--out writes a new lab and leaves the original alone', () => {
    fs.writeFileSync('deploy.yaml', DEPLOY);
    const before = read('lab.podlab.json');
    const r = run('import', 'lab.podlab.json', 'deploy.yaml', '--out', 'lab2.podlab.json');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'imported 2 objects from deploy.yaml into lab2.podlab.json: 1 added, 1 replaced',
    );
    expect(read('lab.podlab.json')).toBe(before);
    expect(JSON.parse(read('lab2.podlab.json'))).toMatchObject({ name: 'Two nodes, Flannel VXLAN' });
  });

  it('refuses bad YAML with document, line and column, and does not touch the lab', () => {
    fs.writeFileSync(
      'bad.yaml',
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\nkind: Pod\nmetadata:\n\tname: y\n',
    );
    const before = read('lab.podlab.json');
    expect(run('import', 'lab.podlab.json', 'bad.yaml')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'bad.yaml: error: document 2, line 8, column 1: Tabs are not allowed as indentation\n' +
        'podpath: bad.yaml was not imported (1 problem); lab.podlab.json is unchanged\n',
    });
    expect(read('lab.podlab.json')).toBe(before);
  });

  it('refuses objects the lab validator refuses', () => {
    fs.writeFileSync(
      'p.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {nodeName: node-7}\n',
    );
    const r = run('import', 'lab.podlab.json', 'p.yaml', '--out', 'new.podlab.json');
    expect(r.stderr).toBe(
      'p.yaml: error: document 1, line 1, column 1: objects[4].spec.nodeName node-7 is not a node of this lab (nodes: node-1, node-2)\n' +
        'podpath: p.yaml was not imported (1 problem); new.podlab.json was not written\n',
    );
    expect(fs.existsSync('new.podlab.json')).toBe(false);
  });

  it('prints warnings for kinds Podpath keeps but does not model', () => {
    fs.writeFileSync('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\n');
    expect(run('import', 'lab.podlab.json', 'cm.yaml').stdout).toBe(
      'imported 1 object from cm.yaml into lab.podlab.json: 1 added, 0 replaced\n' +
        '  added     ConfigMap shop/cfg\n' +
        'cm.yaml: warning: document 1, line 1, column 1: objects[4] is a ConfigMap, a kind Podpath does not model; it is kept and ignored\n',
    );
  });

  it('refuses a YAML file larger than the cap before reading it', () => {
    fs.writeFileSync('deploy.yaml', DEPLOY);
    const big: CliIo = { ...io, fileSize: (p) => (p === 'deploy.yaml' ? 40 * 1024 * 1024 : 1000) };
    expect(runCli(['import', 'lab.podlab.json', 'deploy.yaml'], big).stderr).toBe(
      'podpath: deploy.yaml is 41,943,040 bytes; a YAML file larger than 33,554,432 bytes is not read\n',
    );
  });

  it('says what is wrong with the arguments and files', () => {
    expect(run('import', 'lab.podlab.json').stderr).toBe(
      'podpath: import needs FILE.yaml after LAB\nRun "podpath --help" for usage.\n',
    );
    expect(run('import', 'lab.podlab.json', 'missing.yaml')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'podpath: cannot read missing.yaml: no such file or directory\n',
    });
    fs.writeFileSync('broken.json', '{"podpath": 1, "nodes": 3}');
    fs.writeFileSync('deploy.yaml', DEPLOY);
    expect(run('import', 'broken.json', 'deploy.yaml').stderr).toBe(
      'broken.json: error: nodes 3 must be a list\npodpath: broken.json is not a valid lab (1 problem)\n',
    );
    fs.mkdirSync('sub');
    expect(run('import', 'lab.podlab.json', 'deploy.yaml', '--out', 'sub').stderr).toMatch(
      /^podpath: cannot write sub: /,
    );
    expect(fs.readdirSync('.').filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('podpath export --yaml', () => {
  it('prints the objects as multi-document YAML that imports back unchanged', () => {
    const r = run('export', 'lab.podlab.json', '--yaml');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 7).join('\n')).toBe(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Pod',
    );
    fs.writeFileSync('out.yaml', r.stdout);
    const again = run('import', 'lab.podlab.json', 'out.yaml', '--out', 'same.podlab.json');
    expect(again.stdout.split('\n')[0]).toBe(
      'imported 4 objects from out.yaml into same.podlab.json: 0 added, 4 replaced',
    );
    expect((JSON.parse(read('same.podlab.json')) as { objects: unknown }).objects).toEqual(
      (JSON.parse(read('lab.podlab.json')) as { objects: unknown }).objects,
    );
  });

  it('--out writes the file atomically', () => {
    expect(run('export', 'lab.podlab.json', '--yaml', '--out', 'objects.yaml')).toEqual({
      code: 0,
      stdout: 'exported 4 objects from lab.podlab.json to objects.yaml\n',
      stderr: '',
    });
    expect(read('objects.yaml')).toBe(run('export', 'lab.podlab.json', '--yaml').stdout);
  });

  it('needs --yaml, and says when a lab has no objects', () => {
    expect(run('export', 'lab.podlab.json').stderr).toBe(
      'podpath: export needs a format: --yaml (the Kubernetes objects as multi-document YAML)\nRun "podpath --help" for usage.\n',
    );
    fs.writeFileSync('empty.json', '{"podpath": 1}');
    expect(run('export', 'empty.json', '--yaml')).toEqual({
      code: 0,
      stdout: '',
      stderr: 'podpath: empty.json has no Kubernetes objects; the YAML is empty\n',
    });
  });
});

describe('writeFileAtomicSync', () => {
  it('replaces the file whole and leaves no temporary file behind', () => {
    fs.writeFileSync('f.txt', 'old');
    writeFileAtomicSync('f.txt', 'new text');
    expect(read('f.txt')).toBe('new text');
    expect(fs.readdirSync('.').sort()).toEqual(['f.txt', 'lab.podlab.json']);
  });

  it('on failure leaves the old file and removes its temporary file', () => {
    fs.mkdirSync('target');
    expect(() => writeFileAtomicSync('target', 'x')).toThrow();
    expect(fs.statSync('target').isDirectory()).toBe(true);
    expect(fs.readdirSync('.').sort()).toEqual(['lab.podlab.json', 'target']);
  });
});
