// A test-only expander, standing in for the coming `docker` vocabulary.
import type { Expander } from "../../src/script/expand.js";

/** `mkpair A B` is two namespaces and a veth pair between them. */
export const pairs: Expander = {
  name: "test-pairs",
  expand({ words, fail }) {
    if (words[0] !== "mkpair") return undefined;
    if (words.length !== 3) fail("mkpair takes two namespace names", "mkpair a b");
    const [, a, b] = words;
    return [
      `ip netns add ${a}`,
      `ip netns add ${b}`,
      "",
      `ip link add v${a} netns ${a} type veth peer name v${b} netns ${b}`,
    ];
  },
};
