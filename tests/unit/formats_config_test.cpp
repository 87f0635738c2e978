// ModelConfig from HF config.json (abridged copies of the published configs of each family, with
// the values their model cards give), from GGUF metadata and from the llama2.c header.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "formats/config_parsers.h"
#include "model/arch/gguf_config.h"
#include "model/arch/hf_config.h"
#include "support/shared_data.h"

namespace osc {
namespace {

using nlohmann::json;

ModelConfig hf(const char* text) { return config_from_hf(json::parse(text), "config.json"); }

std::string hf_error(const char* text) {
  try {
    hf(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2);
    return e.what();
  }
  return "no error";
}

TEST(ConfigHf, Llama3WithRopeScaling) {
  ModelConfig c = hf(R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
    "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
    "vocab_size": 128256, "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "bos_token_id": 128000,
    "eos_token_id": [128001, 128008, 128009], "tie_word_embeddings": false})");
  EXPECT_EQ(c.architecture, "llama");
  EXPECT_EQ(c.d_head, 128);
  EXPECT_EQ(c.kv_group(), 4);
  EXPECT_EQ(c.rope_theta, 500000.0);
  EXPECT_EQ(c.rope_scaling.type, "llama3");
  EXPECT_EQ(c.rope_scaling.factor, 8.0);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_EQ(c.eos_token_id, 128001);
  EXPECT_FALSE(c.rope_interleaved);
  EXPECT_TRUE(c.gated_mlp);
}

TEST(ConfigHf, SharedStoriesConfig) {
  const std::string path = test::shared_path("testdata/stories260K/hf/config.json");
  OSC_REQUIRE_SHARED(path);
  std::ifstream in(path);
  ModelConfig c = config_from_hf(json::parse(in), path);
  EXPECT_EQ(c.n_layers, 5);
  EXPECT_EQ(c.n_kv_heads, 4);
  EXPECT_EQ(c.d_ff, 172);
  EXPECT_EQ(c.norm_eps, 1e-5);
  EXPECT_TRUE(c.tied_embeddings);
}

TEST(ConfigHf, MistralMixtralQwen2) {
  ModelConfig m = hf(R"({"model_type": "mistral", "hidden_size": 4096, "intermediate_size": 14336,
    "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000,
    "max_position_embeddings": 32768, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096})");
  EXPECT_EQ(m.sliding_window, 4096);
  ModelConfig x = hf(R"({"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336,
    "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000,
    "num_local_experts": 8, "num_experts_per_tok": 2, "sliding_window": null, "rope_theta": 1e6})");
  EXPECT_EQ(x.n_experts, 8);
  EXPECT_EQ(x.n_experts_per_token, 2);
  EXPECT_FALSE(x.sliding_window.has_value());
  ModelConfig q = hf(R"({"architectures": ["Qwen2ForCausalLM"], "hidden_size": 896, "intermediate_size": 4864,
    "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
    "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "tie_word_embeddings": true, "use_sliding_window": false,
    "sliding_window": 32768})");
  EXPECT_EQ(q.architecture, "qwen2");  // found through architectures[]
  EXPECT_TRUE(q.attn_qkv_bias);
  EXPECT_FALSE(q.attn_out_bias);
  EXPECT_EQ(q.d_head, 64);
  EXPECT_FALSE(q.sliding_window.has_value());
}

TEST(ConfigHf, Gpt2) {
  ModelConfig c = hf(R"({"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024,
    "n_inner": null, "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new", "vocab_size": 50257,
    "bos_token_id": 50256, "eos_token_id": 50256})");
  EXPECT_EQ(c.d_ff, 3072);
  EXPECT_EQ(c.norm, NormType::LayerNorm);
  EXPECT_EQ(c.activation, Activation::GELUTanh);
  EXPECT_EQ(c.positional, Positional::Learned);
  EXPECT_FALSE(c.gated_mlp);
  EXPECT_TRUE(c.tied_embeddings);
  EXPECT_TRUE(c.attn_qkv_bias && c.mlp_bias && c.norm_has_bias);
  EXPECT_FALSE(c.add_bos);
}

TEST(ConfigHf, Opt) {
  ModelConfig c = hf(R"({"model_type": "opt", "hidden_size": 768, "num_hidden_layers": 12,
    "num_attention_heads": 12, "ffn_dim": 3072, "max_position_embeddings": 2048, "do_layer_norm_before": true,
    "word_embed_proj_dim": 768, "activation_function": "relu", "vocab_size": 50272, "enable_bias": true})");
  EXPECT_EQ(c.position_offset, 2);
  EXPECT_EQ(c.activation, Activation::ReLU);
  EXPECT_EQ(c.d_ff, 3072);
  EXPECT_EQ(hf_error(R"({"model_type": "opt", "hidden_size": 1024, "word_embed_proj_dim": 512,
    "num_hidden_layers": 24, "num_attention_heads": 16, "ffn_dim": 4096, "vocab_size": 50272})"),
            "config.json: OPT with word_embed_proj_dim 512 != hidden_size 1024 (projected embeddings, as in opt-350m) "
            "is not supported");
}

TEST(ConfigHf, FalconBothStylesAndOldNames) {
  ModelConfig f7 = hf(R"({"model_type": "falcon", "hidden_size": 4544, "num_hidden_layers": 32,
    "num_attention_heads": 71, "multi_query": true, "parallel_attn": true, "new_decoder_architecture": false,
    "bias": false, "alibi": false, "vocab_size": 65024, "layer_norm_epsilon": 1e-05})");
  EXPECT_EQ(f7.n_kv_heads, 1);
  EXPECT_TRUE(f7.parallel_block && f7.parallel_shared_norm);
  EXPECT_EQ(f7.d_head, 64);
  EXPECT_EQ(f7.d_ff, 4 * 4544);
  ModelConfig f40 = hf(R"({"model_type": "falcon", "hidden_size": 8192, "num_hidden_layers": 60,
    "num_attention_heads": 128, "num_kv_heads": 8, "new_decoder_architecture": true, "parallel_attn": true,
    "vocab_size": 65024})");
  EXPECT_EQ(f40.n_kv_heads, 8);
  EXPECT_TRUE(f40.parallel_block);
  EXPECT_FALSE(f40.parallel_shared_norm);
  ModelConfig rw = hf(R"({"model_type": "RefinedWebModel", "architectures": ["RWForCausalLM"], "hidden_size": 4544,
    "n_layer": 32, "n_head": 71, "multi_query": true, "parallel_attn": true, "vocab_size": 65024})");
  EXPECT_EQ(rw.architecture, "falcon");
  EXPECT_EQ(rw.n_layers, 32);
  EXPECT_EQ(rw.n_kv_heads, 1);
  ModelConfig rw40 = hf(R"({"model_type": "RefinedWeb", "hidden_size": 8192, "n_layer": 60, "n_head": 128,
    "n_head_kv": 8, "parallel_attn": true, "vocab_size": 65024})");
  EXPECT_EQ(rw40.n_kv_heads, 8);
  EXPECT_FALSE(rw40.parallel_shared_norm);
}

TEST(ConfigHf, Mpt) {
  ModelConfig c = hf(R"({"model_type": "mpt", "d_model": 4096, "n_heads": 32, "n_layers": 32, "expansion_ratio": 4,
    "max_seq_len": 2048, "vocab_size": 50432, "no_bias": true,
    "attn_config": {"alibi": true, "alibi_bias_max": 8, "clip_qkv": null, "softmax_scale": null}})");
  EXPECT_EQ(c.positional, Positional::ALiBi);
  EXPECT_EQ(c.alibi_bias_max, 8.0);
  EXPECT_FALSE(c.clip_qkv.has_value());
  EXPECT_FALSE(c.norm_has_bias || c.attn_qkv_bias || c.mlp_bias);
  EXPECT_EQ(c.d_ff, 16384);
  ModelConfig clipped = hf(R"({"model_type": "mpt", "d_model": 64, "n_heads": 4, "n_layers": 2, "vocab_size": 100,
    "attn_config": {"alibi": true, "clip_qkv": 6}})");
  EXPECT_EQ(clipped.clip_qkv, 6.0);
}

TEST(ConfigHf, Phi2AndNeox) {
  ModelConfig p = hf(R"({"architectures": ["PhiForCausalLM"], "model_type": "phi", "hidden_size": 2560,
    "intermediate_size": 10240, "num_hidden_layers": 32, "num_attention_heads": 32, "partial_rotary_factor": 0.4,
    "hidden_act": "gelu_new", "layer_norm_eps": 1e-05, "vocab_size": 51200, "max_position_embeddings": 2048})");
  EXPECT_EQ(p.architecture, "phi2");
  EXPECT_EQ(p.rotary_dims(), 32);  // 0.4 * 80
  EXPECT_TRUE(p.parallel_shared_norm && p.lm_head_bias);
  ModelConfig n = hf(R"({"model_type": "gpt_neox", "hidden_size": 512, "intermediate_size": 2048,
    "num_hidden_layers": 6, "num_attention_heads": 8, "rotary_pct": 0.25, "rotary_emb_base": 10000,
    "use_parallel_residual": true, "layer_norm_eps": 1e-05, "hidden_act": "gelu", "vocab_size": 50304,
    "max_position_embeddings": 2048})");
  EXPECT_EQ(n.rotary_dims(), 16);
  EXPECT_TRUE(n.parallel_block);
  EXPECT_FALSE(n.parallel_shared_norm);
  EXPECT_EQ(n.activation, Activation::GELU);
}

TEST(ConfigHf, Errors) {
  EXPECT_EQ(hf_error(R"({"model_type": "bert", "architectures": ["BertModel"]})"),
            "config.json: unsupported model: model_type 'bert' (supported model_type values: RefinedWeb, "
            "RefinedWebModel, falcon, gpt2, gpt_neox, llama, mistral, mixtral, mpt, opt, phi, qwen2)");
  EXPECT_EQ(hf_error(R"({"model_type": "llama", "hidden_size": 64})"), "config.json: num_hidden_layers: missing");
  EXPECT_EQ(hf_error(R"({"model_type": "llama", "hidden_size": "64"})"),
            "config.json: hidden_size: expected an integer, got \"64\"");
  EXPECT_EQ(hf_error(R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 6,
    "num_key_value_heads": 4, "intermediate_size": 8, "vocab_size": 10})"),
            "config.json: model config: n_heads 6 is not a multiple of n_kv_heads 4");
  EXPECT_EQ(hf_error(R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4,
    "intermediate_size": 8, "vocab_size": 10, "rope_scaling": {"type": "yarn", "factor": 2}})"),
            "config.json: unsupported rope_scaling type 'yarn' (supported: linear, llama3)");
  EXPECT_EQ(hf_error("[1]"), "config.json: config is not a JSON object");
}

TEST(ConfigGguf, StoriesAndLlama2cAgree) {
  const std::string gguf = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(gguf);
  ModelConfig g = config_from_gguf(GgufFile::open(gguf));
  EXPECT_EQ(g.n_layers, 5);
  EXPECT_EQ(g.d_model, 64);
  EXPECT_EQ(g.n_heads, 8);
  EXPECT_EQ(g.n_kv_heads, 4);
  EXPECT_EQ(g.vocab_size, 512);
  EXPECT_EQ(g.d_ff, 172);
  EXPECT_EQ(g.norm_eps, 1e-5);  // FLOAT32 1e-5 read as the decimal it denotes
  EXPECT_TRUE(g.rope_interleaved);
  EXPECT_EQ(g.bos_token_id, 1);
  ModelConfig l = config_from_llama2c(read_llama2c_header(test::shared_path("testdata/stories260K/stories260K.bin")));
  EXPECT_EQ(model_config_to_json(l)["d_ff"], 172);
  EXPECT_EQ(l.max_positions, 512);
  EXPECT_TRUE(l.tied_embeddings);
  EXPECT_TRUE(l.rope_interleaved);
}

TEST(ConfigGguf, VocabFilesGiveTheirArchitectureOrAClearError) {
  const std::string dir = test::shared_path("testdata/tokenizer");
  OSC_REQUIRE_SHARED(dir);
  GgufFile bert = GgufFile::open(dir + "/ggml-vocab-bert-bge.gguf");
  try {
    config_from_gguf(bert);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), bert.path() + ": unsupported architecture 'bert' (supported: falcon, gpt2, gptneox, "
                                                   "llama, mpt, phi2, qwen2)");
  }
  ModelConfig falcon = config_from_gguf(GgufFile::open(dir + "/ggml-vocab-falcon.gguf"));
  EXPECT_EQ(falcon.architecture, "falcon");
  EXPECT_EQ(falcon.vocab_size, 65024);
}

}  // namespace
}  // namespace osc
