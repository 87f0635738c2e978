#!/usr/bin/env python3
"""The instruction mix of a kernel's innermost hot loop, from a perf annotate listing.

The loop is the shortest backward jump whose [target, jump] range holds at least MIN_SHARE percent
of the function's samples; the mix counts vector work (every AVX instruction that is neither a
plain load, a broadcast load, a store nor a register move), loads and register moves, per
VALUES/32 when the loop handles VALUES weight values per iteration (docs/benchmarks.md, "One
token, 4-6-bit types").

  perf record -e cpu-clock -F 2999 -o q4k.data build/bench/matmul_bench --benchmark_filter=Q4_K/stream/out:11008
  perf annotate -i q4k.data --stdio > q4k.ann      # the kernel's section first: cut the others off
  bench/hot_loop_mix.py q4k.ann 40 2048            # 8 rows x one 256-value super-block per iteration
"""
import collections
import re
import sys


def instructions(path):
    out = []
    for line in open(path).read().splitlines():
        m = re.match(r'\s*([\d.]+)\s*:\s*([0-9a-f]+):\s+(\S+)\s*(.*)', line)
        if m:
            out.append((float(m.group(1)), int(m.group(2), 16), m.group(3), m.group(4)))
    return out


def hot_loop(ins, min_share):
    best = None
    for _, address, op, args in ins:
        target = re.match(r'([0-9a-f]+)', args)
        if not op.startswith('j') or not target or int(target.group(1), 16) >= address:
            continue
        body = [x for x in ins if int(target.group(1), 16) <= x[1] <= address]
        if sum(x[0] for x in body) >= min_share and (best is None or len(body) < len(best)):
            best = body
    return best


def classify(op, args):
    if not op.startswith('v') or op == 'vzeroupper':
        return None
    plain_move = op.startswith(('vmovaps', 'vmovups', 'vmovdqa', 'vmovdqu'))
    if plain_move or (op == 'vbroadcastss' and '(' in args):
        if '(' not in args:
            return 'moves'
        # AT&T operand order: a memory operand last is a store
        return 'stores' if args.rstrip().endswith(')') else 'loads'
    return 'work'


def main():
    path, min_share = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 40.0
    values = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    body = hot_loop(instructions(path), min_share)
    if not body:
        sys.exit(f"{path}: no loop holds {min_share}% of the samples")
    print(f"loop {body[0][1]:x}-{body[-1][1]:x}: {len(body)} instructions, "
          f"{sum(x[0] for x in body):.1f}% of the samples")
    mix = collections.Counter()
    kinds = collections.Counter()
    for _, _, op, args in body:
        shape = ' mem' if '(' in args else ''
        shape += next((' ' + r for r in ('zmm', 'ymm', 'xmm') if r in args), '')
        mix[op + shape] += 1
        kind = classify(op, args)
        if kind:
            kinds[kind] += 1
    for name, count in mix.most_common():
        print(f"  {count:4d} {name}")
    per = " per 32 values: " + ", ".join(f"{k} {kinds[k] * 32 / values:.2f}" for k in ('work', 'loads', 'stores', 'moves')) if values else ""
    print("  " + ", ".join(f"{k} {kinds[k]}" for k in ('work', 'loads', 'stores', 'moves')) + (";" + per if per else ""))


if __name__ == '__main__':
    main()
