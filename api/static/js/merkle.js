// RFC 9162 Merkle proofs, verified in the reader's browser with WebCrypto SHA-256.
//
// The effect log (ledger/effects/merkle.py) hashes a leaf as SHA-256(0x00 || entry) and an
// inner node as SHA-256(0x01 || left || right). This module checks an inclusion proof
// (RFC 9162 §2.1.3.2) and a consistency proof (§2.1.4.2) step by step, as the RFC writes
// them, so a page can show "verified" without trusting the server that sent the proof.
//
// Every verifier resolves to a result, never throws:
//   {ok: true, root: "<hex>"}                        the proof checks; root is what it proves
//   {ok: false, reason, step, message, ...details}   what failed, where, in words
// `reason` is one of the codes below (stable, for pages that translate them); `step` is
// the RFC's step number (or null for a check before the algorithm), `message` an
// English sentence naming the values involved.
//
//   malformed              an argument is not what it must be (a hash not 32 bytes of hex…)
//   no-webcrypto           the page is not a secure context, so the browser has no SHA-256
//   leaf-mismatch          the entry does not hash to the leaf hash given with it
//   index-out-of-range     the leaf index is not below the tree size (inclusion step 1)
//   proof-too-long         the path goes on after reaching the root (step 4a / 6a)
//   proof-too-short        the path ends below the root (inclusion step 5 / consistency 7)
//   root-mismatch          the path leads to another root than the expected one
//   old-larger             a consistency proof from a larger tree to a smaller one
//   proof-not-empty        equal sizes (or from the empty tree) take an empty proof
//   empty-proof            0 < old size < new size takes a non-empty proof (step 1)
//   old-root-mismatch      the path does not rebuild the old root (step 7)
//   new-root-mismatch      the path does not rebuild the new root (step 7)
//   not-a-prefix           from the empty tree: the old root is not the empty tree's

const HASH_SIZE = 32;
const HEX_RE = /^(?:0x)?((?:[0-9a-fA-F]{2})*)$/;

/** Lowercase hex of bytes, without 0x. */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of a hex string (with or without 0x); null when it is not hex. */
export function fromHex(text) {
  if (typeof text !== "string") return null;
  const match = HEX_RE.exec(text.trim());
  if (!match) return null;
  const hex = match[1];
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function subtle() {
  const c = globalThis.crypto;
  return c && c.subtle ? c.subtle : null;
}

async function sha256(...parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const data = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await subtle().digest("SHA-256", data));
}

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** SHA-256(0x00 || entry); `entry` is bytes or a string (hashed as UTF-8). */
export async function leafHash(entry) {
  const bytes = typeof entry === "string" ? new TextEncoder().encode(entry) : entry;
  return sha256(LEAF, bytes);
}

/** SHA-256(0x01 || left || right). */
export async function nodeHash(left, right) {
  return sha256(NODE, left, right);
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function isPowerOfTwo(n) {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

function fail(reason, step, message, details = {}) {
  return { ok: false, reason, step, message, ...details };
}

class Malformed extends Error {}

function hash(value, name) {
  const bytes = value instanceof Uint8Array ? value : fromHex(value);
  if (!bytes || bytes.length !== HASH_SIZE) {
    throw new Malformed(`${name} is not a ${HASH_SIZE}-byte hash in hex`);
  }
  return bytes;
}

function size(value, name) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Malformed(`${name} is not a whole number from 0 (got ${JSON.stringify(value)})`);
  }
  return value;
}

function path(proof, name) {
  if (!Array.isArray(proof)) throw new Malformed(`${name} is not a list of hashes`);
  return proof.map((p, i) => hash(p, `${name}[${i}]`));
}

async function guarded(check) {
  if (!subtle()) {
    return fail(
      "no-webcrypto",
      null,
      "this page is not a secure context (HTTPS or localhost), so the browser offers no " +
        "WebCrypto SHA-256 to verify with",
    );
  }
  try {
    return await check();
  } catch (err) {
    if (err instanceof Malformed) return fail("malformed", null, err.message);
    throw err;
  }
}

/**
 * Check that a leaf is in a tree: RFC 9162 §2.1.3.2.
 *
 * `leafHash` (hex or bytes), or `entry` (the entry's bytes or UTF-8 text, hashed here;
 * with both, the entry must hash to the leaf hash); `index` from 0; `treeSize`; `proof`
 * (hashes, nearest the leaf first); `root` (the expected root, say an anchored checkpoint's).
 */
export async function verifyInclusion({ entry, leafHash: leaf, index, treeSize, proof, root }) {
  return guarded(async () => {
    const expected = hash(root, "root");
    const nodes = path(proof, "proof");
    size(index, "index");
    size(treeSize, "tree size");
    let r;
    if (entry !== undefined) {
      r = await leafHash(entry);
      if (leaf !== undefined && !equal(r, hash(leaf, "leaf hash"))) {
        return fail(
          "leaf-mismatch",
          null,
          `the entry hashes to ${toHex(r)}, not to the leaf hash ${toHex(hash(leaf, "leaf hash"))}`,
          { computed: toHex(r) },
        );
      }
    } else {
      r = hash(leaf, "leaf hash");
    }
    // 1. leaf_index must be below tree_size.
    if (index >= treeSize) {
      return fail(
        "index-out-of-range",
        1,
        `leaf ${index} is not in a tree of ${treeSize} leaves`,
      );
    }
    // 2. fn = leaf_index, sn = tree_size - 1; 3. r = the leaf hash.
    let fn = index;
    let sn = treeSize - 1;
    // 4. For each value p in the path (JavaScript's bit operators stop at 2^31: use / 2).
    for (let i = 0; i < nodes.length; i++) {
      const p = nodes[i];
      // a. If sn is 0, the path is longer than the tree is high.
      if (sn === 0) {
        return fail(
          "proof-too-long",
          4,
          `the proof has ${nodes.length} hashes but reaches the root after ${i}`,
          { used: i },
        );
      }
      // b. If LSB(fn) is set, or fn equals sn: r = HASH(0x01 || p || r), then shift
      //    both until LSB(fn) is set or fn is 0; otherwise r = HASH(0x01 || r || p).
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = await nodeHash(r, p);
      }
      // c. Shift both once.
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    // 5. sn must be 0 and r must equal the root.
    if (sn !== 0) {
      return fail(
        "proof-too-short",
        5,
        `the proof's ${nodes.length} hashes end below the root of a tree of ${treeSize} leaves`,
      );
    }
    if (!equal(r, expected)) {
      return fail(
        "root-mismatch",
        5,
        `the proof leads to the root ${toHex(r)}, not to the expected ${toHex(expected)}`,
        { computed: toHex(r), expected: toHex(expected) },
      );
    }
    return { ok: true, root: toHex(r) };
  });
}

/**
 * Check that a tree of `oldSize` leaves is a prefix of one of `newSize`: RFC 9162 §2.1.4.2.
 *
 * `oldRoot`, `newRoot` (hex or bytes), `proof` (hashes as the RFC orders them). Equal sizes
 * take an empty proof and equal roots; from the empty tree, an empty proof and the empty
 * tree's root (SHA-256 of nothing), as ledger/effects/merkle.py decides.
 */
export async function verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof }) {
  return guarded(async () => {
    size(oldSize, "old size");
    size(newSize, "new size");
    const first = hash(oldRoot, "old root");
    const second = hash(newRoot, "new root");
    const nodes = path(proof, "proof");
    if (oldSize > newSize) {
      return fail("old-larger", null, `the old tree (${oldSize}) is larger than the new (${newSize})`);
    }
    if (oldSize === newSize || oldSize === 0) {
      if (nodes.length !== 0) {
        return fail(
          "proof-not-empty",
          null,
          `from ${oldSize} to ${newSize} leaves the proof must be empty, not ${nodes.length} hashes`,
        );
      }
      if (oldSize === newSize && !equal(first, second)) {
        return fail(
          "root-mismatch",
          null,
          `two trees of ${oldSize} leaves with different roots ${toHex(first)} and ${toHex(second)}`,
          { computed: toHex(first), expected: toHex(second) },
        );
      }
      if (oldSize === 0) {
        const empty = await sha256(new Uint8Array(0));
        if (!equal(first, empty)) {
          return fail(
            "not-a-prefix",
            null,
            `the old root of an empty tree must be ${toHex(empty)}, not ${toHex(first)}`,
          );
        }
      }
      return { ok: true, root: toHex(second) };
    }
    // 1. An empty consistency path fails.
    if (nodes.length === 0) {
      return fail("empty-proof", 1, `from ${oldSize} to ${newSize} leaves the proof cannot be empty`);
    }
    // 2. If first is an exact power of 2, prepend first_hash to the path.
    const steps = isPowerOfTwo(oldSize) ? [first, ...nodes] : nodes;
    // 3. fn = first - 1, sn = second - 1.
    let fn = oldSize - 1;
    let sn = newSize - 1;
    // 4. If LSB(fn) is set, shift both until it is not.
    while (fn % 2 === 1) {
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    // 5. fr = sr = the first value of the path.
    let fr = steps[0];
    let sr = steps[0];
    // 6. For each subsequent value c:
    for (let i = 1; i < steps.length; i++) {
      const c = steps[i];
      // a. If sn is 0, the path is too long.
      if (sn === 0) {
        return fail(
          "proof-too-long",
          6,
          `the proof has ${nodes.length} hashes but reaches the new root before using them all`,
          { used: i },
        );
      }
      // b. If LSB(fn) is set or fn equals sn: fr = HASH(0x01 || c || fr),
      //    sr = HASH(0x01 || c || sr), then shift until LSB(fn) is set or fn is 0;
      //    otherwise sr = HASH(0x01 || sr || c).
      if (fn % 2 === 1 || fn === sn) {
        fr = await nodeHash(c, fr);
        sr = await nodeHash(c, sr);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        sr = await nodeHash(sr, c);
      }
      // c. Shift both once.
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    // 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    if (sn !== 0) {
      return fail(
        "proof-too-short",
        7,
        `the proof's ${nodes.length} hashes end below the root of a tree of ${newSize} leaves`,
      );
    }
    if (!equal(fr, first)) {
      return fail(
        "old-root-mismatch",
        7,
        `the proof rebuilds the old root as ${toHex(fr)}, not ${toHex(first)}`,
        { computed: toHex(fr), expected: toHex(first) },
      );
    }
    if (!equal(sr, second)) {
      return fail(
        "new-root-mismatch",
        7,
        `the proof rebuilds the new root as ${toHex(sr)}, not ${toHex(second)}`,
        { computed: toHex(sr), expected: toHex(second) },
      );
    }
    return { ok: true, root: toHex(sr) };
  });
}

/**
 * Verify what `GET /effects/entries/{sequence}` returns: the entry's text hashes to its
 * leaf hash and the proof leads to `anchoredRoot` (the checkpoint's root as the chain
 * holds it; by default the response's own `root`, which the page should compare with
 * the chain's).
 */
export async function verifyEntryResponse(response, anchoredRoot = undefined) {
  return verifyInclusion({
    entry: response.entry,
    leafHash: response.leaf_hash,
    index: response.sequence,
    treeSize: response.tree_size,
    proof: response.proof,
    root: anchoredRoot === undefined ? response.root : anchoredRoot,
  });
}

/** Verify what `GET /effects/consistency?first=&second=` returns. */
export async function verifyConsistencyResponse(response) {
  return verifyConsistency({
    oldSize: response.first.tree_size,
    newSize: response.second.tree_size,
    oldRoot: response.first.root,
    newRoot: response.second.root,
    proof: response.proof,
  });
}
