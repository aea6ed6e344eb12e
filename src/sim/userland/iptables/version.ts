// The one place the modelled iptables version lives (Debian 12's iptables 1.8.9, the
// nf_tables variant); every message and header that names it builds on these.
export const IPTABLES_VERSION = "1.8.9";
export const VERSION_TAG = `v${IPTABLES_VERSION} (nf_tables)`;
