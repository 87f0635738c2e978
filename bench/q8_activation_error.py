"""How much llama.cpp's way of running quantized weights (activations rounded to Q8_0 / Q8_K
blocks on the fly, then integer dot products) would change a layer's output, against f32
activations times the same dequantized weights. Decides the default of kernels/stream_matmul.h.

Activations like those the analysis looks at: a hidden state of d = 4096 with values ~N(0, 1) and,
in the massive-activation rows, one channel of 1000 (An et al.: a few channels 1e3-1e4x the median).
Weights ~N(0, 0.02). The error is measured on the output y = x W^T, as the relative error of y
overall and on the outputs of the row without the outlier.
  /usr/bin/python3 bench/q8_activation_error.py
"""
import numpy as np


def q8_blocks(x, block):
    """Round x to int8 blocks with one scale each (max |x| / 127), as ggml quantizes activations."""
    b = x.reshape(-1, block)
    d = np.abs(b).max(axis=1, keepdims=True) / 127.0
    q = np.round(b / np.where(d == 0, 1, d))
    return (q * d).reshape(x.shape)


def main():
    rng = np.random.default_rng(0)
    d, out = 4096, 4096
    w = rng.normal(0, 0.02, size=(out, d))
    plain = rng.normal(0, 1, size=d)
    massive = plain.copy()
    massive[1415] = 1000.0
    for name, x in (("typical token", plain), ("token with a massive activation (1000)", massive)):
        exact = w @ x
        for block, kind in ((32, "Q8_0"), (256, "Q8_K")):
            approx = w @ q8_blocks(x, block)
            rel = np.linalg.norm(approx - exact) / np.linalg.norm(exact)
            worst = np.max(np.abs(approx - exact)) / np.max(np.abs(exact))
            # What the activations lost: the other values of the outlier's block.
            lost = np.abs(q8_blocks(x, block) - x)[:block * (1 + 1415 // block)].max()
            print(f"{name:40s} {kind}: |dy|/|y| = {rel:.2e}, max|dy|/max|y| = {worst:.2e}, "
                  f"largest activation error {lost:.3f}")


if __name__ == "__main__":
    main()
