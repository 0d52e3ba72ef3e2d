import { expect, test, type Page } from '@playwright/test';
import { baseUrl, canvasIds, pagePosition, shot, watchErrors } from './helpers';
import type {} from '../../renderer/src/canvas/globals';

/** Drags a palette item onto the canvas at a point given relative to an element (or the canvas). */
async function dragFromPalette(page: Page, kind: string, to: { x: number; y: number }) {
  const canvas = page.getByTestId('canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no canvas');
  await page
    .getByTestId(`palette-${kind}`)
    .dragTo(canvas, { targetPosition: { x: to.x - box.x, y: to.y - box.y } });
}

async function doc(page: Page) {
  return page.evaluate(() => window.__podpath?.store.getState().doc);
}

test('start screen, new lab, example lab', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(baseUrl());
  await expect(page.getByTestId('start-screen')).toBeVisible();
  await shot(page, '01-start');
  await page.getByTestId('example-flannel-vxlan-2node.podlab.json').click();
  await expect(page.getByTestId('editor')).toBeVisible();
  await expect.poll(() => canvasIds(page, '.pod')).toHaveLength(3);
  await page.waitForTimeout(300);
  await shot(page, '03-example');
  expect(errors).toEqual([]);
});

test('build a lab from the palette, switch CNI, undo/redo, save, reload, Chinese', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(baseUrl());
  await page.getByTestId('new-lab').click();
  await expect(page.getByTestId('editor')).toBeVisible();
  await expect.poll(() => canvasIds(page, '.network')).toEqual(['network/lan']);

  const lan = await pagePosition(page, 'network/lan');
  await dragFromPalette(page, 'node', { x: lan.x - 180, y: lan.y - 150 });
  await dragFromPalette(page, 'node', { x: lan.x + 180, y: lan.y - 150 });
  await dragFromPalette(page, 'router', { x: lan.x, y: lan.y + 130 });
  await expect.poll(() => canvasIds(page, '.node')).toEqual(['node/node-1', 'node/node-2']);
  const n1 = await pagePosition(page, 'node/node-1');
  const n2 = await pagePosition(page, 'node/node-2');
  await dragFromPalette(page, 'pod', n1);
  await dragFromPalette(page, 'pod', n2);
  await expect.poll(() => canvasIds(page, '.pod')).toEqual(['pod/default/pod-1', 'pod/default/pod-2']);

  const d = await doc(page);
  expect(d?.nodes).toEqual([
    { name: 'node-1', network: 'lan', ip: '192.168.1.10' },
    { name: 'node-2', network: 'lan', ip: '192.168.1.11' },
  ]);
  expect(d?.routers).toEqual([{ name: 'router-1', interfaces: [{ network: 'lan', ip: '192.168.1.1' }] }]);
  const pods = d?.objects?.map((o) => [o.metadata?.name, o.spec?.['nodeName']]);
  expect(pods).toEqual([
    ['pod-1', 'node-1'],
    ['pod-2', 'node-2'],
  ]);
  // pod IPs come from Flannel's IPAM (derived in the worker) and show on the canvas
  await expect
    .poll(() =>
      page.evaluate(() => String(window.__podpath?.cy.getElementById('pod/default/pod-2').data('label'))),
    )
    .toBe('pod-2\n10.244.1.2');
  await shot(page, '04-built');

  // cluster settings: Flannel VXLAN → host-gw
  await page.getByTestId('tab-cluster').click();
  await expect(page.getByTestId('cni-flannel-vxlan')).toBeChecked();
  await page.getByTestId('cni-flannel-host-gw').check();
  await expect
    .poll(async () => (await doc(page))?.cluster?.['cni'])
    .toEqual({ plugin: 'flannel', mode: 'host-gw' });
  await shot(page, '05-cluster');

  // undo / redo through the keyboard
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect
    .poll(async () => (await doc(page))?.cluster?.['cni'])
    .toEqual({ plugin: 'flannel', mode: 'vxlan' });
  await page.keyboard.press('Control+Shift+z');
  await expect
    .poll(async () => (await doc(page))?.cluster?.['cni'])
    .toEqual({ plugin: 'flannel', mode: 'host-gw' });

  // save, reload, the lab is unchanged
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  const saved = await doc(page);
  await page.reload();
  await expect(page.getByTestId('start-screen')).toBeVisible();
  await page
    .getByTestId('recent-labs')
    .getByRole('button', { name: /New lab/ })
    .first()
    .click();
  await expect(page.getByTestId('editor')).toBeVisible();
  expect(await doc(page)).toEqual(saved);
  await expect.poll(() => canvasIds(page, '.pod')).toHaveLength(2);

  // Chinese
  await page.getByTestId('language').selectOption('zh');
  await expect(page.getByTestId('menu-file')).toHaveText('文件');
  await expect(page.getByTestId('tab-cluster')).toHaveText('集群');
  await shot(page, '06-chinese');
  // the choice is remembered (settings), so put it back for the other specs sharing the database
  await page.reload();
  await expect(page.getByTestId('new-lab')).toHaveText('+ 新建实验');
  await page.getByTestId('recent-labs').getByRole('button').first().click();
  await page.getByTestId('language').selectOption('en');
  await expect(page.getByTestId('menu-file')).toHaveText('File');
  expect(errors).toEqual([]);
});

test('inspector: YAML with line numbers, problems that select, rename inline, move a pod by dragging, dark theme', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto(baseUrl());
  await page.getByTestId('example-flannel-vxlan-2node.podlab.json').click();
  await expect.poll(() => canvasIds(page, '.pod')).toHaveLength(3);

  // select a pod on the canvas; edit its YAML with a mistake, then fix it
  const web1 = await pagePosition(page, 'pod/shop/web-1');
  await page.mouse.click(web1.x, web1.y);
  await expect
    .poll(() => page.evaluate(() => window.__podpath?.store.getState().selection))
    .toEqual(['pod/shop/web-1']);
  await page.getByTestId('tab-yaml').click();
  const yaml = page.getByTestId('yaml-editor');
  await expect(yaml).toContainText('name: web-1');
  await yaml.fill(
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: shop\n  labels: [app\nspec: {}\n',
  );
  await page.getByTestId('yaml-apply').click();
  await expect(page.getByTestId('yaml-errors')).toHaveText(
    'Line 7, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
  );
  await shot(page, '07-yaml-error');
  await yaml.fill(
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: shop\n  labels:\n    app: web\n    tier: front\nspec:\n  nodeName: node-1\n  containers:\n  - name: web\n    ports:\n    - containerPort: 8080\n',
  );
  await page.getByTestId('yaml-apply').click();
  await expect
    .poll(async () => (await doc(page))?.objects?.find((o) => o.metadata?.name === 'web-1')?.metadata?.labels)
    .toEqual({ app: 'web', tier: 'front' });

  // a bad address shows in the form and in the problems list, which selects the node
  const n2 = await pagePosition(page, 'node/node-2');
  await page.getByTestId('tab-properties').click();
  await page.evaluate(() => window.__podpath?.store.select(['node/node-2']));
  await page.getByTestId('field-ip').fill('10.1.1.1');
  await page.getByTestId('field-ip').press('Enter');
  await expect(page.locator('.pp-field-problems')).toContainText(
    'nodes[1].ip 10.1.1.1 is not inside network lan 192.168.1.0/24',
  );
  await page.evaluate(() => window.__podpath?.store.select([]));
  await page.getByTestId('tab-problems').click();
  await page.getByTestId('problems').getByText('nodes[1].ip 10.1.1.1').click();
  await expect
    .poll(() => page.evaluate(() => window.__podpath?.store.getState().selection))
    .toEqual(['node/node-2']);
  await shot(page, '08-problem-selected');
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await doc(page))?.nodes?.[1]?.ip).toBe('192.168.1.11');

  // drag pod web-2 from node-1 onto node-2: spec.nodeName follows, one undo step
  const web2 = await pagePosition(page, 'pod/shop/web-2');
  await page.mouse.move(web2.x, web2.y);
  await page.mouse.down();
  await page.mouse.move((web2.x + n2.x) / 2, web2.y, { steps: 5 });
  await page.mouse.move(n2.x, n2.y, { steps: 5 });
  await page.mouse.up();
  await expect
    .poll(
      async () => (await doc(page))?.objects?.find((o) => o.metadata?.name === 'web-2')?.spec?.['nodeName'],
    )
    .toBe('node-2');
  await expect
    .poll(() =>
      page.evaluate(() => window.__podpath?.cy.getElementById('pod/shop/web-2').parent().first().id()),
    )
    .toBe('node/node-2');
  await page.getByTestId('canvas').focus();
  await page.keyboard.press('Control+z');
  await expect
    .poll(
      async () => (await doc(page))?.objects?.find((o) => o.metadata?.name === 'web-2')?.spec?.['nodeName'],
    )
    .toBe('node-1');

  // rename inline (double click), references follow
  const gw = await pagePosition(page, 'router/gw');
  await page.mouse.dblclick(gw.x, gw.y);
  await page.getByTestId('rename-input').fill('edge');
  await page.getByTestId('rename-input').press('Enter');
  await expect.poll(() => canvasIds(page, '.router')).toEqual(['router/edge']);

  // right-click menu on the empty canvas, then the dark theme
  const box = await page.getByTestId('canvas').boundingBox();
  await page.mouse.click((box?.x ?? 0) + 20, (box?.y ?? 0) + 20, { button: 'right' });
  await expect(page.locator('.pp-context-menu')).toBeVisible();
  await shot(page, '09-context-menu');
  await page.keyboard.press('Escape');
  await page.getByTestId('action-view.toggleTheme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('tab-cluster').click();
  await shot(page, '10-dark');
  // the theme is remembered (settings): put it back for the other specs sharing the database
  await page.getByTestId('action-view.toggleTheme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect
    .poll(async () => {
      await page.reload();
      await expect(page.locator('html')).toHaveAttribute('data-theme', /^(light|dark)$/);
      return page.locator('html').getAttribute('data-theme');
    })
    .toBe('light');
  expect(errors).toEqual([]);
});
