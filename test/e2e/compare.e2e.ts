/**
 * Compare: the same probe under Flannel VXLAN and Flannel host-gw (and two kube-proxy modes),
 * side by side, the differences marked.
 */
import { expect, test } from '@playwright/test';
import { baseUrl, shot, watchErrors } from './helpers';

test('compare Flannel VXLAN with host-gw, and kube-proxy iptables with IPVS', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => localStorage.setItem('podpath.stepperHeight', '470'));
  await page.goto(baseUrl());
  await page.getByTestId('example-flannel-vxlan-2node.podlab.json').click();
  await expect(page.getByTestId('probe-from')).toHaveValue('pod/shop/web-1');
  await page.getByTestId('stepper-tab-compare').click();
  await expect(page.getByTestId('compare-variant-0')).toHaveValue('cni:flannel:vxlan');
  await expect(page.getByTestId('compare-variant-1')).toHaveValue('cni:flannel:host-gw');
  await page.getByTestId('probe-submit').click();

  const summary = page.getByTestId('compare-summary');
  await expect(summary).toBeVisible();
  const row = (key: string) => summary.locator(`tr[data-key="${key}"] td`);
  await expect(row('verdict')).toHaveText(['delivered', 'delivered']);
  await expect(row('encap')).toHaveText(['VXLAN VNI 1, UDP 8472', 'none']);
  await expect(row('wire')).toHaveText([
    'Ethernet › IPv4 › UDP › VXLAN › Ethernet › IPv4 › TCP',
    'Ethernet › IPv4 › TCP',
  ]);
  await expect(row('pathMtu')).toHaveText(['1450', '1500']);
  await expect(summary.locator('tr[data-key="encap"]')).toHaveAttribute('data-differs', 'true');
  await expect(summary.locator('tr[data-key="verdict"]')).toHaveAttribute('data-differs', 'false');

  // the encapsulation and decapsulation hops exist only on the VXLAN side (request and reply)
  const onlyLeft = page.locator('[data-testid="compare-row"][data-marks~="only-left"]');
  await expect(onlyLeft.filter({ hasText: 'flannel.1 encapsulates: VXLAN VNI 1' })).toHaveCount(2);
  await expect(onlyLeft.filter({ hasText: 'UDP 8472 belongs to flannel.1' })).toHaveCount(2);
  await expect(
    onlyLeft.and(page.locator('[data-phase="request"]')).filter({ hasText: 'flannel.1 encapsulates' }),
  ).toContainText('outer 192.168.1.10 → 192.168.1.11');
  await expect(page.locator('[data-testid="compare-row"][data-marks~="only-right"]')).toHaveCount(0);
  // the forward route lookup on node-1 is on both sides, with different routes
  const route = page
    .locator('[data-testid="compare-row"][data-marks~="rule"]')
    .filter({ hasText: '10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink' });
  await expect(route).toHaveCount(1);
  await expect(route).toContainText('10.244.1.0/24 via 192.168.1.11 dev eth0');
  // the pod's eth0 MTU differs (1450 under VXLAN)
  await expect(page.locator('[data-testid="compare-row"][data-marks~="mtu"]').first()).toContainText(
    'MTU 1450',
  );
  await shot(page, 'compare-01-vxlan-host-gw');
  await onlyLeft.and(page.locator('[data-phase="request"]')).first().scrollIntoViewIfNeeded();
  await shot(page, 'compare-02-vxlan-host-gw-rows');

  // kube-proxy iptables against IPVS on a Service name
  await page.getByTestId('compare-variant-0').selectOption('kp:iptables');
  await page.getByTestId('compare-variant-1').selectOption('kp:ipvs');
  await page.getByTestId('probe-to').fill('node/node-2');
  await page.getByTestId('probe-proto').selectOption('icmp');
  await page.getByTestId('probe-submit').click();
  await expect(row('verdict')).toHaveText(['delivered', 'delivered']);
  await expect(page.getByTestId('compare-rows')).toContainText('kube-proxy ipvs');
  await shot(page, 'compare-03-kube-proxy');
  expect(errors).toEqual([]);
});
