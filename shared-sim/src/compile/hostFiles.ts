/**
 * /etc/resolv.conf of a node or client: the systemd-resolved stub file of an Ubuntu host (what a
 * kubeadm node usually has); pods with dnsPolicy Default inherit it.
 */
export const HOST_RESOLV_CONF = [
  '# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).',
  '# Do not edit.',
  '#',
  "# This file might be symlinked as /etc/resolv.conf. If you're looking at",
  '# /etc/resolv.conf and seeing this text, you have followed the symlink.',
  '#',
  '# This is a dynamic resolv.conf file for connecting local clients to the',
  '# internal DNS stub resolver of systemd-resolved. This file lists all',
  '# configured search domains.',
  '#',
  '# Run "resolvectl status" to see details about the uplink DNS servers',
  '# currently in use.',
  '#',
  '# Third party programs should typically not access this file directly, but only',
  '# through the symlink at /etc/resolv.conf. To manage man:resolv.conf(5) in a',
  '# different way, replace this symlink by a static file or a different symlink.',
  '#',
  '# See man:systemd-resolved.service(8) for details about the supported modes of',
  '# operation for /etc/resolv.conf.',
  '',
  'nameserver 127.0.0.53',
  'options edns0 trust-ad',
  'search .',
  '',
].join('\n');
