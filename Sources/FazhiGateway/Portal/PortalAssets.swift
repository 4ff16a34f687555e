/// The portal's only static files, kept in the binary: a stylesheet and the in-browser
/// verifier. The verifier recomputes the entry's leaf exactly as docs/DISCLOSURE-LOG.md
/// defines it, walks the inclusion proof (RFC 9162 §2.1.3.2) to the checkpoint's root,
/// and checks the checkpoint's Ed25519 signature (C2SP signed note) with WebCrypto.
enum PortalAssets {
    static let css = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.55 system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;color:#1d1d1f;background:#fafafa}
        header{display:flex;gap:.8em;align-items:center;padding:.7em 1em;background:#b71c1c;color:#fff}header a{color:#fff;text-decoration:none}
        .home{font-weight:700}.agency{flex:1}nav{display:flex;flex-wrap:wrap;gap:1em;padding:.6em 1em;background:#fff;border-bottom:1px solid #ddd}
        main{max-width:60em;margin:0 auto;padding:1em}footer{max-width:60em;margin:2em auto;padding:0 1em;color:#666;font-size:.85em}
        table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em}th,td{border:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
        th{background:#f1f1f1}form.filters{display:flex;flex-wrap:wrap;gap:.5em;margin-bottom:1em}form.filters *{font-size:1em;padding:.3em}
        .entry{background:#fff;border:1px solid #ddd;padding:.8em;margin:.6em 0}.entry h3{margin:.1em 0 .3em}.meta{color:#555;font-size:.88em}
        .withdrawn{color:#b71c1c}.check{padding:.8em;border-radius:4px;margin:1em 0;font-weight:600}.check.pending{background:#eee}
        .check.ok{background:#e6f4ea;color:#1e6b34}.check.bad{background:#fdecea;color:#b71c1c}code,pre{font-size:.8em;word-break:break-all;white-space:pre-wrap}
        @media (max-width:40em){th,td{padding:.3em}.hide-small{display:none}}
        """

    static let verifier = """
        "use strict";
        (async function () {
          const box = document.getElementById("check");
          const data = JSON.parse(document.getElementById("proof").textContent);
          const say = (ok, zh, en) => { box.className = "check " + (ok ? "ok" : "bad"); box.textContent = (document.documentElement.lang === "en" ? en : zh); box.dataset.result = ok ? "verified" : "failed"; };
          const enc = new TextEncoder();
          const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
          const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
          const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
          const cat = (...parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let i = 0; for (const p of parts) { out.set(p, i); i += p.length; } return out; };
          const sha = async (b) => new Uint8Array(await crypto.subtle.digest("SHA-256", b));
          const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
          try {
            if (!crypto.subtle) throw new Error("no WebCrypto");
            const e = data.entry;
            // A withdrawn entry's content is lawfully erased (null): the leaf still commits
            // to the hash of what was published, and the proof below checks that leaf.
            const withdrawn = typeof data.withdrawal_reason === "string";
            if (typeof e.content === "string" && !same(await sha(enc.encode(e.content)), unhex(e.content_sha256))) {
              return say(false, "核验失败：公示内容与日志记录的哈希不一致，内容已被改动。", "Verification FAILED: the content does not match the hash in the log; it was changed.");
            }
            // The checkpoint: a signed note whose text ends at the blank line.
            const note = data.checkpoint, split = note.lastIndexOf("\\n\\n");
            const text = note.slice(0, split + 1), lines = text.split("\\n");
            const origin = lines[0], size = parseInt(lines[1], 10), root = unb64(lines[2]);
            const [keyName, keyHash, keyB64] = [data.key.split("+")[0], data.key.split("+")[1], data.key.split("+").slice(2).join("+")];
            const key = unb64(keyB64).slice(1);
            const signature = note.slice(split + 2).split("\\n").filter((l) => l.startsWith("\\u2014 " + keyName + " "))
              .map((l) => unb64(l.split(" ")[2])).find((blob) => hex(blob.slice(0, 4)) === keyHash);
            if (!signature || origin !== keyName) return say(false, "核验失败：检查点没有该机构日志密钥的签名。", "Verification FAILED: the checkpoint carries no signature by the log's key.");
            const publicKey = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
            if (!(await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature.slice(4), enc.encode(text)))) {
              return say(false, "核验失败：检查点签名无效。", "Verification FAILED: the checkpoint's signature does not verify.");
            }
            // The leaf, as docs/DISCLOSURE-LOG.md defines it.
            const leaf = enc.encode("fazhi-disclosure/v1\\norigin " + origin + "\\nentry " + e.id + "\\naction " + e.action + "\\nkind " + e.kind +
              "\\nsubject " + e.subject.replace(/[\\r\\n]/g, " ") + "\\nrefers " + (e.refers_to || "-") + "\\npublished " + e.published_at +
              "\\ncontent-sha256 " + e.content_sha256 + "\\n");
            let r = await sha(cat(new Uint8Array([0]), leaf));
            let fn = data.index, sn = size - 1;
            if (fn > sn) throw new Error("index beyond the tree");
            for (const p of data.proof.map(unhex)) {
              if (sn === 0) throw new Error("proof too long");
              if (fn % 2 === 1 || fn === sn) {
                r = await sha(cat(new Uint8Array([1]), p, r));
                while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
              } else {
                r = await sha(cat(new Uint8Array([1]), r, p));
              }
              fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
            }
            if (sn !== 0 || !same(r, root)) {
              return say(false, "核验失败：该条目不在机构签名的日志中，或已被改动。", "Verification FAILED: this entry is not in the agency's signed log, or it was changed.");
            }
            if (withdrawn || typeof e.content !== "string") {
              const reason = data.withdrawal_reason ? "（撤回理由：" + data.withdrawal_reason + "）" : "";
              const reasonEN = data.withdrawal_reason ? " (reason: " + data.withdrawal_reason + ")" : "";
              return say(true, "已核验：该条目是机构签名日志（共 " + size + " 条）中的第 " + (data.index + 1) + " 条；其内容已依法撤回" + reason + "，撤回不是篡改。",
                "Verified: this is entry " + (data.index + 1) + " of the agency's signed log of " + size + "; its content was withdrawn" + reasonEN + ", which is not tampering.");
            }
            say(true, "已核验：该条目是机构签名日志（共 " + size + " 条）中的第 " + (data.index + 1) + " 条，内容未被改动。",
                "Verified: this is entry " + (data.index + 1) + " of the agency's signed log of " + size + ", unchanged.");
          } catch (err) {
            say(false, "无法核验：" + err.message, "Could not verify: " + err.message);
          }
        })();
        """
}
