// Per-namespace sysctls (net.*): the keys the labs use, with the kernel's defaults.
// A new namespace copies net.ipv4 from the machine's initial namespace (devconf_inherit_init_net=0),
// which the host profile provides.

/** Compiled-in defaults of net.ipv4.conf.{all,default,DEV}. */
export const IPV4_CONF_DEFAULTS: Record<string, string> = {
  forwarding: "0",
  mc_forwarding: "0",
  accept_redirects: "1",
  secure_redirects: "1",
  shared_media: "1",
  rp_filter: "0",
  send_redirects: "1",
  accept_source_route: "0",
  accept_local: "0",
  route_localnet: "0",
  proxy_arp: "0",
  arp_filter: "0",
  arp_announce: "0",
  arp_ignore: "0",
  arp_accept: "0",
  arp_notify: "0",
  log_martians: "0",
  disable_policy: "0",
  disable_xfrm: "0",
  bootp_relay: "0",
  medium_id: "0",
  promote_secondaries: "0",
  ignore_routes_with_linkdown: "0",
  drop_gratuitous_arp: "0",
  drop_unicast_in_l2_multicast: "0",
  proxy_arp_pvlan: "0",
  src_valid_mark: "0",
  tag: "0",
  force_igmp_version: "0",
};

/** Namespace-wide net.ipv4.* scalars. */
export const IPV4_SCALARS: Record<string, string> = {
  "net.ipv4.ip_forward": "0",
  "net.ipv4.ip_default_ttl": "64",
  "net.ipv4.icmp_echo_ignore_all": "0",
  "net.ipv4.icmp_echo_ignore_broadcasts": "1",
  "net.ipv4.icmp_ratelimit": "1000",
  "net.ipv4.icmp_ratemask": "6168",
  "net.ipv4.icmp_msgs_per_sec": "1000",
  "net.ipv4.icmp_msgs_burst": "50",
  "net.ipv4.icmp_errors_use_inbound_ifaddr": "0",
  "net.ipv4.ip_local_port_range": "32768\t60999",
  "net.ipv4.ip_nonlocal_bind": "0",
  "net.ipv4.ping_group_range": "0\t2147483647",
  "net.ipv4.ip_unprivileged_port_start": "1024",
  "net.ipv4.tcp_syn_retries": "6",
  "net.ipv4.tcp_synack_retries": "5",
  "net.ipv4.tcp_syn_linear_timeouts": "4",
  "net.ipv4.tcp_fin_timeout": "60",
};

/** Integer settings with bounds (proc_dointvec_minmax, proc_dou8vec_minmax): outside, EINVAL. */
export const INT_RANGES: Record<string, [number, number]> = {
  "net.ipv4.tcp_syn_retries": [1, 127],
  "net.ipv4.tcp_synack_retries": [0, 255],
  "net.ipv4.tcp_syn_linear_timeouts": [0, 127],
};

export const BRIDGE_NF_KEYS = [
  "net.bridge.bridge-nf-call-arptables",
  "net.bridge.bridge-nf-call-ip6tables",
  "net.bridge.bridge-nf-call-iptables",
  "net.bridge.bridge-nf-filter-pppoe-tagged",
  "net.bridge.bridge-nf-filter-vlan-tagged",
  "net.bridge.bridge-nf-pass-vlan-input-dev",
] as const;

export const BRIDGE_NF_DEFAULTS: Record<string, string> = {
  "net.bridge.bridge-nf-call-arptables": "1",
  "net.bridge.bridge-nf-call-ip6tables": "1",
  "net.bridge.bridge-nf-call-iptables": "1",
  "net.bridge.bridge-nf-filter-pppoe-tagged": "0",
  "net.bridge.bridge-nf-filter-vlan-tagged": "0",
  "net.bridge.bridge-nf-pass-vlan-input-dev": "0",
};

/** Values that must be 0 or 1 (proc_dointvec_minmax with 0..1). */
export const BOOLEAN_KEYS = new Set<string>(["forwarding", "ip_forward"]);
