// Effect-log proofs, verified in the reader's browser: the page fetches the proof
// from the JSON API and checks it with WebCrypto SHA-256 (merkle.js, RFC 9162)
// against the checkpoint anchored on chain that the page names. It shows
// "verified" or exactly which comparison failed; a failed request shows the problem
// detail's message in this panel only.
import { consistencyRoots, fromHex, inclusionRoot, leafHash, toHex } from "/static/js/merkle.js";

const panel = document.querySelector("[data-proof]");
const text = JSON.parse(document.getElementById("proof-text").textContent);

function say(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
}

function show(ok, message, steps) {
  const verdict = panel.querySelector("[data-verdict]");
  verdict.textContent = (ok ? text.verified : text.failed) + (message ? ": " + message : "");
  verdict.dataset.tone = ok ? "ok" : "bad";
  verdict.dataset.result = ok ? "verified" : "failed";
  const list = panel.querySelector("[data-steps]");
  list.replaceChildren(...steps.map((s) => Object.assign(document.createElement("li"), { textContent: s })));
}

async function fetchProof(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && (body.detail || body.title);
    throw new Error(detail || String(response.status));
  }
  return body;
}

async function inclusion() {
  const body = await fetchProof(panel.dataset.url);
  const steps = [];
  const shown = document.getElementById("entry").textContent;
  if (body.entry !== shown) return show(false, text.entry_differs, steps);
  const leaf = await leafHash(body.entry);
  steps.push(say(text.leaf, { hash: toHex(leaf) }));
  if (body.leaf_hash && body.leaf_hash.replace(/^0x/, "") !== toHex(leaf)) {
    return show(false, say(text.leaf_differs, { got: body.leaf_hash, want: toHex(leaf) }), steps);
  }
  const size = Number(panel.dataset.size);
  if (Number(body.tree_size) !== size) {
    return show(false, say(text.size_differs, { got: body.tree_size, want: size }), steps);
  }
  let root;
  try {
    root = await inclusionRoot(leaf, Number(panel.dataset.sequence), size, body.proof.map(fromHex));
  } catch (err) {
    return show(false, err.message, steps);
  }
  steps.push(say(text.computed_root, { n: body.proof.length, hash: toHex(root) }));
  const anchored = panel.dataset.root.replace(/^0x/, "");
  if (toHex(root) !== anchored) {
    return show(false, say(text.root_differs, { got: toHex(root), want: anchored, n: panel.dataset.checkpoint }), steps);
  }
  steps.push(say(text.matches, { n: panel.dataset.checkpoint }));
  show(true, "", steps);
}

async function consistency() {
  const body = await fetchProof(panel.dataset.url);
  const steps = [];
  const root1 = fromHex(panel.dataset.firstRoot);
  const root2 = panel.dataset.secondRoot.replace(/^0x/, "");
  let roots;
  try {
    roots = await consistencyRoots(Number(panel.dataset.firstSize), Number(panel.dataset.secondSize), root1, body.proof.map(fromHex));
  } catch (err) {
    return show(false, err.message, steps);
  }
  steps.push(say(text.first_root, { hash: toHex(roots.first) }));
  steps.push(say(text.second_root, { hash: toHex(roots.second) }));
  if (toHex(roots.first) !== toHex(root1)) {
    return show(false, say(text.first_differs, { got: toHex(roots.first), want: toHex(root1) }), steps);
  }
  if (toHex(roots.second) !== root2) {
    return show(false, say(text.second_differs, { got: toHex(roots.second), want: root2 }), steps);
  }
  show(true, "", steps);
}

(panel.dataset.proof === "inclusion" ? inclusion() : consistency()).catch((err) => {
  const verdict = panel.querySelector("[data-verdict]");
  verdict.replaceChildren(Object.assign(document.createElement("span"), {
    className: "problem", textContent: text.unavailable + ": " + (err && err.message ? err.message : err),
  }));
  verdict.dataset.result = "unavailable";
});
