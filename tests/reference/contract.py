"""The hook-point contract as data: which hook names an architecture must produce and their
shapes. gen_model.py checks every forward against it, so a reference can't silently drift from
the contract that the C++ engine implements."""


def expected_hooks(s, n_tokens):
    """s: the architecture's hook summary (see each arch module's `hook_summary`)."""
    T, d = n_tokens, s["d_model"]
    out = {"hook_embed": [T, d], "ln_final.hook_normalized": [T, d], "hook_logits": [T, s["vocab"]]}
    if s["learned_pos"]:
        out["hook_pos_embed"] = [T, d]
    for layer in range(s["n_layers"]):
        b = f"blocks.{layer}."
        a = b + "attn."
        out.update({
            b + "hook_resid_pre": [T, d], b + "ln1.hook_normalized": [T, d],
            a + "hook_q": [T, s["n_heads"], s["d_head"]],
            a + "hook_k": [T, s["n_kv_heads"], s["d_head"]],
            a + "hook_v": [T, s["n_kv_heads"], s["d_head"]],
            a + "hook_attn_scores": [s["n_heads"], T, T], a + "hook_pattern": [s["n_heads"], T, T],
            a + "hook_z": [T, s["n_heads"], s["d_head"]],
            b + "hook_attn_out": [T, d], b + "hook_mlp_out": [T, d], b + "hook_resid_post": [T, d],
        })
        if s["rope"]:
            out[a + "hook_rot_q"] = [T, s["n_heads"], s["d_head"]]
            out[a + "hook_rot_k"] = [T, s["n_kv_heads"], s["d_head"]]
        if not s["parallel"]:
            out[b + "hook_resid_mid"] = [T, d]
        if s["has_ln2"]:
            out[b + "ln2.hook_normalized"] = [T, d]
        if s["n_experts"]:
            out[b + "mlp.hook_router_logits"] = [T, s["n_experts"]]
            out[b + "mlp.hook_expert_weights"] = [T, s["n_experts"]]
            for e in range(s["n_experts"]):
                for n in ("hook_pre", "hook_pre_linear", "hook_post"):
                    out[b + f"mlp.experts.{e}.{n}"] = [T, s["d_ff"]]
            out[b + "mlp.hook_post"] = [T, s["n_experts"] * s["d_ff"]]
        else:
            out[b + "mlp.hook_pre"] = [T, s["d_ff"]]
            out[b + "mlp.hook_post"] = [T, s["d_ff"]]
            if s["gated"]:
                out[b + "mlp.hook_pre_linear"] = [T, s["d_ff"]]
    return out


def check(hooks, summary, n_tokens, arch):
    want = expected_hooks(summary, n_tokens)
    got = {name: list(t.shape) for name, t in hooks.items()}
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra:
        raise AssertionError(f"{arch}: hook names differ from the contract; missing {missing}, extra {extra}")
    wrong = {n: (got[n], want[n]) for n in want if got[n] != want[n]}
    if wrong:
        raise AssertionError(f"{arch}: hook shapes (got, want) differ from the contract: {wrong}")
