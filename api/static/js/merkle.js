// RFC 9162 (Certificate Transparency 2.0) Merkle tree proofs, verified with WebCrypto
// SHA-256 and nothing else: leaf hash SHA-256(0x00 || entry), node hash
// SHA-256(0x01 || left || right); inclusion (§2.1.3.2) and consistency (§2.1.4.2).
// Sizes and indexes are taken as BigInt-safe whole numbers.

const encoder = new TextEncoder();

export function fromHex(text) {
  const hex = String(text).replace(/^0x/i, "");
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new Error("not hex: " + text);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(...parts) {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

/** SHA-256(0x00 || entry); `entry` is bytes or a string (encoded as UTF-8). */
export async function leafHash(entry) {
  const bytes = typeof entry === "string" ? encoder.encode(entry) : entry;
  return sha256(Uint8Array.of(0), bytes);
}

function nodeHash(left, right) {
  return sha256(Uint8Array.of(1), left, right);
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The root that `proof` (a list of 32-byte hashes) gives for the leaf at `index` of a
 * tree of `size` leaves, or an Error saying why the proof cannot be one (RFC 9162
 * §2.1.3.2).
 */
export async function inclusionRoot(leaf, index, size, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) throw new Error(`leaf index ${index} is not below tree size ${size}`);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new Error("the proof is longer than the tree is deep");
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error("the proof is shorter than the tree is deep");
  return r;
}

/** Whether `proof` shows that `leaf` is at `index` of the tree of `size` under `root`. */
export async function verifyInclusion(leaf, index, size, proof, root) {
  try {
    return equal(await inclusionRoot(leaf, index, size, proof), root);
  } catch (err) {
    return false;
  }
}

/**
 * The two roots that a consistency proof between trees of `size1` and `size2` leaves
 * gives, starting from `root1` (RFC 9162 §2.1.4.2): `{first, second}`, to be compared
 * with the two checkpoints' roots; an Error when the proof cannot be one.
 */
export async function consistencyRoots(size1, size2, root1, proof) {
  const m = BigInt(size1);
  const n = BigInt(size2);
  if (m < 1n || m > n) throw new Error(`sizes ${size1} and ${size2} do not grow`);
  if (m === n) {
    if (proof.length) throw new Error("equal sizes need an empty proof");
    return { first: root1, second: root1 };
  }
  let path = proof.slice();
  if ((m & (m - 1n)) === 0n) path = [root1, ...path];
  if (!path.length) throw new Error("the proof is empty");
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new Error("the proof is longer than the tree is deep");
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error("the proof is shorter than the tree is deep");
  return { first: fr, second: sr };
}

/** Whether `proof` shows that the tree of `size2` under `root2` extends `size1`/`root1`. */
export async function verifyConsistency(size1, size2, root1, root2, proof) {
  try {
    const roots = await consistencyRoots(size1, size2, root1, proof);
    return equal(roots.first, root1) && equal(roots.second, root2);
  } catch (err) {
    return false;
  }
}
