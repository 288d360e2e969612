// Effect-log proofs, verified in the reader's browser: the page fetches the proof from
// the JSON API and checks it with WebCrypto SHA-256 (merkle.js, RFC 9162) against the
// checkpoint anchored on chain that the page names (its size and root come from the
// chain, not from the proof). It shows "verified" or exactly what failed; a failed
// request shows the problem detail's message in this panel only.
import { leafHash, toHex, verifyConsistency, verifyInclusion } from "/static/js/merkle.js";

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

function failure(result) {
  const why = text.reasons[result.reason];
  return (why ? why + " — " : "") + result.message;
}

async function fetchProof(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && (body.detail || body.title)) || String(response.status));
  return body;
}

async function inclusion() {
  const body = await fetchProof(panel.dataset.url);
  const size = Number(panel.dataset.size);
  const root = panel.dataset.root;
  if (body.entry !== document.getElementById("entry").textContent) {
    return show(false, text.entry_differs, []);
  }
  if (Number(body.tree_size) !== size) {
    return show(false, say(text.size_differs, { got: body.tree_size, want: size }), []);
  }
  const steps = [say(text.leaf, { hash: toHex(await leafHash(body.entry)) })];
  const result = await verifyInclusion({
    entry: body.entry,
    leafHash: body.leaf_hash,
    index: Number(panel.dataset.sequence),
    treeSize: size,
    proof: body.proof,
    root,
  });
  if (!result.ok) return show(false, failure(result), steps);
  steps.push(say(text.computed_root, { n: body.proof.length, hash: result.root }));
  steps.push(say(text.matches, { n: panel.dataset.checkpoint }));
  show(true, "", steps);
}

async function consistency() {
  const body = await fetchProof(panel.dataset.url);
  const result = await verifyConsistency({
    oldSize: Number(panel.dataset.firstSize),
    newSize: Number(panel.dataset.secondSize),
    oldRoot: panel.dataset.firstRoot,
    newRoot: panel.dataset.secondRoot,
    proof: body.proof,
  });
  if (!result.ok) return show(false, failure(result), []);
  show(true, "", [say(text.rebuilt, { n: body.proof.length, hash: result.root })]);
}

(panel.dataset.proof === "inclusion" ? inclusion() : consistency()).catch((err) => {
  const verdict = panel.querySelector("[data-verdict]");
  verdict.replaceChildren(Object.assign(document.createElement("span"), {
    className: "problem", textContent: text.unavailable + ": " + (err && err.message ? err.message : err),
  }));
  verdict.dataset.result = "unavailable";
});
