/**
 * The packet stepper as a user drives it: open the Flannel VXLAN example, trace pod to pod, step
 * through the hops (the VXLAN headers at the wire hop, fields changed by a hop), step back, jump,
 * run to the end, see the path on the canvas, switch to host-gw and see the path change, a drop in
 * red, the terminal, and the panel in Chinese.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../main/cli/run';
import { baseUrl, shot, watchErrors } from './helpers';

const LABS = path.resolve(import.meta.dirname, '../../assets/labs');

async function openExample(page: Page, file: string): Promise<void> {
  // a tall bottom panel, as a user stepping packets would drag it (Layout keeps it in localStorage)
  await page.addInitScript(() => localStorage.setItem('podpath.stepperHeight', '470'));
  await page.goto(baseUrl());
  await page.getByTestId(`example-${file}`).click();
  await expect(page.getByTestId('editor')).toBeVisible();
  // the pickers are filled from the simulation worker
  await expect(page.getByTestId('probe-from')).not.toHaveValue('');
}

async function position(page: Page): Promise<number> {
  const text = (await page.getByTestId('step-position').textContent()) ?? '';
  return Number(/(\d+)/.exec(text)?.[1] ?? NaN);
}

/** Steps forward until the current hop matches, and returns its index (1-based). */
async function stepUntil(page: Page, host: string, stage: string, iface?: string): Promise<number> {
  for (let i = 0; i < 120; i++) {
    const h = await page.getByTestId('hop-host').textContent();
    const s = await page.getByTestId('hop-detail').getAttribute('data-stage');
    const f = await page.getByTestId('hop-detail').getAttribute('data-iface');
    if (h === host && s === stage && (iface === undefined || f === iface)) return position(page);
    await page.getByTestId('step-forward').click();
  }
  throw new Error(`never reached ${host} ${stage}`);
}

interface CanvasProbe {
  __podpath?: { cy: { getElementById(id: string): { hasClass(c: string): boolean } } };
}

async function hasClass(page: Page, id: string, cls: string): Promise<boolean> {
  return page.evaluate(
    ([i, c]) => (window as unknown as CanvasProbe).__podpath?.cy.getElementById(i).hasClass(c) ?? false,
    [id, cls] as const,
  );
}

test('step a pod-to-pod packet through Flannel VXLAN, then host-gw', async ({ page }) => {
  const errors = watchErrors(page);
  await openExample(page, 'flannel-vxlan-2node.podlab.json');
  // the default probe: a pod to a pod on the other node, at the port it listens on
  await expect(page.getByTestId('probe-from')).toHaveValue('pod/shop/web-1');
  await expect(page.getByTestId('probe-to')).toHaveValue('pod/shop/api-1');
  await expect(page.getByTestId('probe-port')).toHaveValue('8080');

  const t0 = Date.now();
  await page.getByTestId('probe-submit').click();
  await expect(page.getByTestId('event').first()).toBeVisible();
  const firstWall = Date.now() - t0;
  const firstMeasure = await page.evaluate(
    () => performance.getEntriesByName('pp-trace').at(-1)?.duration ?? -1,
  );
  // again, with the lab compiled in the worker: the typical case while stepping through edits
  for (let i = 2; i <= 6; i++) {
    await page.getByTestId('probe-submit').click();
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName('pp-trace').length)).toBe(i);
  }
  const warm = await page.evaluate(() =>
    performance
      .getEntriesByName('pp-trace')
      .slice(1)
      .map((e) => e.duration)
      .sort((a, b) => a - b),
  );
  const warmMedian = warm[Math.floor(warm.length / 2)] ?? -1;
  console.log(
    `step list: first trace ${firstMeasure.toFixed(1)} ms (worker incl. compile; ${firstWall} ms click to paint), warm median ${warmMedian.toFixed(1)} ms of ${warm.map((x) => x.toFixed(1)).join(', ')}`,
  );
  expect(firstMeasure).toBeGreaterThan(0);
  expect(warmMedian).toBeLessThan(100);

  // as many hops as `podpath trace` prints for the request and the reply
  const cliTrace = runCli(
    [
      'trace',
      path.join(LABS, 'flannel-vxlan-2node.podlab.json'),
      '--from',
      'shop/web-1',
      '--to',
      'pod/shop/api-1',
      '--port',
      '8080',
      '--json',
    ],
    { readFile: (f) => readFileSync(f, 'utf8'), now: () => Date.now() },
  );
  const doc = JSON.parse(cliTrace.stdout) as { hops: unknown[]; reply: { hops: unknown[] } };
  const total = doc.hops.length + doc.reply.hops.length;
  await expect(page.getByTestId('step-position')).toHaveText(`Hop 1 of ${total}`);
  await expect(page.getByTestId('hop-host')).toHaveText('pod/shop/web-1');
  expect(await hasClass(page, 'pod/shop/web-1', 'pp-current')).toBe(true);
  await shot(page, 'stepper-01-first-hop');

  // the VXLAN wire hop: the frame leaves node-1's eth0 wrapped in UDP 8472, VNI 1
  const wireHop = await stepUntil(page, 'node/node-1', 'tx', 'eth0');
  const tree = page.getByTestId('header-tree');
  await expect(page.getByTestId('header-stack')).toHaveText(
    'Ethernet › IPv4 › UDP › VXLAN › Ethernet › IPv4 › TCP',
  );
  const layers = tree.getByTestId('header-layer');
  await expect(layers).toHaveCount(7);
  await expect(layers.nth(2)).toHaveAttribute('data-layer', 'udp');
  await expect(layers.nth(2).locator('[data-field="dst"] .ps-field-value')).toHaveText('8472');
  await expect(layers.nth(3).locator('[data-field="vni"] .ps-field-value')).toHaveText('1');
  // the outer Ethernet header is new at this hop (the encapsulation happened on flannel.1)
  await expect(layers.nth(0)).toHaveClass(/ps-layer-added/);
  expect(await hasClass(page, 'node/node-1', 'pp-current')).toBe(true);
  expect(await hasClass(page, 'pod/shop/web-1', 'pp-visited')).toBe(true);
  await expect(page.getByTestId('packet-marker')).toHaveAttribute('data-host', 'node/node-1');
  await shot(page, 'stepper-02-vxlan-wire-hop');

  // the next hop is on node-2: the link node-1 → lan → node-2 is lit
  await page.getByTestId('step-forward').click();
  await expect(page.getByTestId('hop-host')).toHaveText('node/node-2');
  expect(await hasClass(page, 'link|node/node-1|lan', 'pp-current-link')).toBe(true);
  expect(await hasClass(page, 'link|node/node-2|lan', 'pp-current-link')).toBe(true);

  // step back, then jump by clicking a hop in the list
  await page.getByTestId('step-back').click();
  expect(await position(page)).toBe(wireHop);
  await page.locator('[data-testid="event"][data-index="6"] button').click();
  expect(await position(page)).toBe(7);
  await expect(page.getByTestId('hop-stage')).toHaveText('route');
  await expect(page.getByTestId('hop-rule')).toHaveText('10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink');

  // keyboard: → steps, ← steps back (focus in the panel, not in a field)
  await page.getByTestId('step-position').click();
  await page.keyboard.press('ArrowRight');
  expect(await position(page)).toBe(8);
  await page.keyboard.press('ArrowLeft');
  expect(await position(page)).toBe(7);
  // the debugger keys of the action registry work wherever focus is outside a field
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('F10');
  expect(await position(page)).toBe(8);
  await page.keyboard.press('Shift+F10');
  expect(await position(page)).toBe(7);

  // run to the end at the fastest speed: the reply is walked too, and the verdicts are shown
  await page.getByTestId('step-speed').selectOption('8');
  await page.getByTestId('step-run').click();
  await expect(page.getByTestId('step-position')).toHaveText(`Hop ${total} of ${total}`, { timeout: 20_000 });
  await expect(page.getByTestId('verdict').first()).toHaveAttribute('data-verdict', 'delivered');
  await expect(page.getByTestId('verdict').first()).toContainText('reached pod/shop/api-1 port 8080');
  expect(await hasClass(page, 'pod/shop/web-1', 'pp-reply-visited')).toBe(true);
  await shot(page, 'stepper-03-end');
  await page.getByTestId('step-reset').click();
  expect(await position(page)).toBe(1);

  // switch the cluster to Flannel host-gw: the walk follows the edit, no VXLAN any more
  await page.getByTestId('tab-cluster').click();
  await page.getByTestId('cni-flannel-host-gw').check();
  await expect(page.getByTestId('step-position')).not.toHaveText(`Hop 1 of ${total}`);
  await expect(page.locator('[data-testid="event"] .ps-stage-encap')).toHaveCount(0);
  await stepUntil(page, 'node/node-1', 'route');
  await expect(page.getByTestId('hop-rule')).toHaveText('10.244.1.0/24 via 192.168.1.11 dev eth0');
  await stepUntil(page, 'node/node-1', 'tx', 'eth0');
  await expect(page.getByTestId('header-stack')).toHaveText('Ethernet › IPv4 › TCP');
  await shot(page, 'stepper-04-host-gw');
  // the dark theme: the panel follows the app's theme variables
  await page.getByTestId('action-view.toggleTheme').click();
  await expect(page.getByTestId('stepper-root')).not.toHaveCSS('background-color', 'rgb(255, 255, 255)');
  // the path is still drawn after the canvas changed its stylesheet
  expect(await hasClass(page, 'node/node-1', 'pp-current')).toBe(true);
  await expect
    .poll(() =>
      page.evaluate(() =>
        (
          window as unknown as {
            __podpath?: { cy: { getElementById(id: string): { style(p: string): string } } };
          }
        ).__podpath?.cy
          .getElementById('node/node-1')
          .style('border-color'),
      ),
    )
    .toBe('rgb(245,158,11)');
  await shot(page, 'stepper-09-dark');
  // the theme is a remembered setting: leave the light one for the next tests
  await page.getByTestId('action-view.toggleTheme').click();
  await expect(page.getByTestId('stepper-root')).toHaveCSS('background-color', 'rgb(255, 255, 255)');
  expect(errors).toEqual([]);
});

test('a refused connection is shown in red, DNAT fields are highlighted', async ({ page }) => {
  const errors = watchErrors(page);
  await openExample(page, 'services-iptables.podlab.json');
  await page.getByTestId('probe-from').selectOption('pod/shop/web-1');
  await page.getByTestId('probe-to').fill('web');
  await page.getByTestId('probe-port').fill('80');
  await page.getByTestId('probe-submit').click();
  // the name is resolved first: the DNS query and its answer are walked too
  await expect(page.getByTestId('events-dns')).toBeVisible();
  await expect(page.getByTestId('dns-result')).toContainText(
    'web.shop.svc.cluster.local A? → NOERROR 10.99.9.225',
  );
  await page.getByTestId('step-next-packet').click();
  await page.getByTestId('step-next-packet').click();
  await expect(page.locator('.ps-hop .ps-phase')).toHaveText('Request');
  // the hop where kube-proxy's DNAT rewrote the destination
  await stepUntil(page, 'node/node-1', 'bridge');
  const dst = page.locator('[data-testid="header-layer"][data-layer="ipv4"] [data-field="dst"]');
  // the first bridge hop after DNAT: the destination has changed from the ClusterIP
  await page.getByTestId('step-back').click();
  await expect(page.getByTestId('hop-rule')).toContainText('-j DNAT --to-destination 10.244.0.3:8080');
  await expect(page.getByTestId('hop-rewrite')).toContainText(
    'IPv4 dst 10.99.9.225 → 10.244.0.3, TCP dst 80 → 8080',
  );
  await page.getByTestId('step-forward').click();
  await expect(dst).toHaveAttribute('data-changed', 'true');
  await expect(dst).toContainText('was 10.99.9.225');
  await shot(page, 'stepper-05-dnat');

  // a name no Service has: the resolver's questions and CoreDNS's answers, no walk
  await page.getByTestId('probe-to').fill('nosuch');
  await page.getByTestId('probe-submit').click();
  await expect(page.getByTestId('stepper-error')).toContainText(
    '--to nosuch: Could not resolve host: nosuch',
  );
  await expect(page.getByTestId('stepper-error-dns')).toContainText(
    'nosuch.shop.svc.cluster.local A? → NXDOMAIN (pod/kube-system/coredns-',
  );
  await expect(page.getByTestId('event')).toHaveCount(0);

  // the same pod at a port nothing listens on: rejected, the last hop and the host in red
  await page.getByTestId('probe-to').fill('pod/shop/web-2');
  await page.getByTestId('probe-port').fill('81');
  await page.getByTestId('probe-submit').click();
  await expect(page.getByTestId('verdict').first()).toHaveAttribute('data-verdict', 'rejected');
  const lastRequest = page.getByTestId('events-request').getByTestId('event').last();
  await lastRequest.locator('button').click();
  await expect(lastRequest).toHaveClass(/ps-event-drop/);
  await expect(page.getByTestId('hop-detail')).toHaveAttribute('data-drop', 'true');
  await expect(page.getByTestId('hop-why')).toHaveCSS('color', 'rgb(220, 38, 38)');
  await expect(page.getByTestId('verdict').first()).toHaveCSS('color', 'rgb(220, 38, 38)');
  expect(await hasClass(page, 'pod/shop/web-2', 'pp-dropped')).toBe(true);
  await shot(page, 'stepper-06-rejected');
  expect(errors).toEqual([]);
});

test('the terminal prints what `podpath show` prints; the panel speaks Chinese', async ({ page }) => {
  const errors = watchErrors(page);
  await openExample(page, 'flannel-vxlan-2node.podlab.json');
  await page.getByTestId('stepper-tab-terminal').click();
  await page.getByTestId('terminal-host').selectOption('node/node-1');
  const input = page.getByTestId('terminal-input');
  await input.fill('ip ro');
  await input.press('Tab');
  await expect(input).toHaveValue('ip route');
  await input.press('Enter');
  const file = path.join(LABS, 'flannel-vxlan-2node.podlab.json');
  const cli = runCli(['show', file, '--on', 'node/node-1', 'ip route'], {
    readFile: (f) => readFileSync(f, 'utf8'),
    now: () => Date.now(),
  });
  await expect(page.locator('.ps-terminal-out').last()).toHaveText(cli.stdout.replace(/\n$/, ''));
  await input.fill('hostnam');
  await input.press('Tab');
  await input.press('Enter');
  await expect(page.locator('.ps-terminal-out').last()).toHaveText('node-1');
  await input.press('ArrowUp');
  await expect(input).toHaveValue('hostname');
  await input.fill('rm -rf /');
  await input.press('Enter');
  await expect(page.locator('.ps-terminal-err').last()).not.toBeEmpty();
  await shot(page, 'stepper-07-terminal');

  await page.getByTestId('language').selectOption('zh');
  await expect(page.getByTestId('stepper-tab-stepper')).toHaveText('报文单步');
  await expect(page.getByTestId('stepper-tab-compare')).toHaveText('对比');
  await page.getByTestId('stepper-tab-stepper').click();
  await page.getByTestId('probe-submit').click();
  await expect(page.getByTestId('step-position')).toHaveText(/^第 1 跳，共 \d+ 跳$/);
  await expect(page.locator('.ps-hop .ps-phase')).toHaveText('请求');
  await shot(page, 'stepper-08-chinese');
  expect(errors).toEqual([]);
});
