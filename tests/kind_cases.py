"""The case table of every registered layer kind, shared by tests/test_kinds.py (which runs
every row) and tests/test_homework.py (which runs the single-layer rows through `cnncalc layer`).
Expected values are the textbook arithmetic; see test_kinds.py's docstring for the formulas."""

from __future__ import annotations

from cnncalc.kinds import ACTIVATIONS

# (id, layer or [helper layers..., layer], (input shape, layout), out shape (C, *spatial),
#  params, non_trainable_params, macs)
CASES = [
    # --- conv -------------------------------------------------------------------------
    (
        "conv_k3_p1",
        {"conv": {"filters": 16, "kernel": 3, "padding": 1}},
        ([32, 32, 3], "HWC"),
        (16, 32, 32),
        16 * 3 * 3 * 3 + 16,
        0,
        32 * 32 * 16 * 3 * 3 * 3,
    ),
    (
        "conv_k5_p2_inception5x5",
        {"conv": {"filters": 32, "kernel": 5, "padding": 2}},
        ([28, 28, 192], "HWC"),
        (32, 28, 28),
        5 * 5 * 192 * 32 + 32,
        0,
        28 * 28 * 32 * 5 * 5 * 192,
    ),
    (
        "conv_k3_s2_d2",
        {"conv": {"filters": 8, "kernel": 3, "stride": 2, "dilation": 2}},
        # effective kernel 2·(3−1)+1 = 5: (15 − 5)/2 + 1 = 6
        ([15, 15, 4], "HWC"),
        (8, 6, 6),
        8 * 4 * 3 * 3 + 8,
        0,
        6 * 6 * 8 * 4 * 3 * 3,
    ),
    (
        "conv_k1x7_nonsquare",
        {"conv": {"filters": 12, "kernel": [1, 7], "padding": [0, 3]}},
        ([17, 17, 8], "HWC"),
        (12, 17, 17),
        12 * 8 * 1 * 7 + 12,
        0,
        17 * 17 * 12 * 8 * 1 * 7,
    ),
    (
        "conv_asymmetric_pairs",
        {"conv": {"filters": 4, "kernel": 3, "stride": 2, "padding": [[0, 1], [2, 1]]}},
        # H: (10 + 0 + 1 − 3)/2 + 1 = 5;  W: (10 + 2 + 1 − 3)/2 + 1 = 6
        ([10, 10, 2], "HWC"),
        (4, 5, 6),
        4 * 2 * 3 * 3 + 4,
        0,
        5 * 6 * 4 * 2 * 3 * 3,
    ),
    (
        "conv_same_s2_odd",
        {"conv": {"filters": 6, "kernel": 3, "stride": 2, "padding": "same"}},
        # TF 'same': ceil(7/2) = 4
        ([7, 7, 3], "HWC"),
        (6, 4, 4),
        6 * 3 * 3 * 3 + 6,
        0,
        4 * 4 * 6 * 3 * 3 * 3,
    ),
    (
        "conv_same_s2_resnet_stem",
        {"conv": {"filters": 64, "kernel": 7, "stride": 2, "padding": "same", "bias": False}},
        # ceil(224/2) = 112; no bias
        ([224, 224, 3], "HWC"),
        (64, 112, 112),
        7 * 7 * 3 * 64,
        0,
        112 * 112 * 64 * 7 * 7 * 3,
    ),
    (
        "conv_valid",
        {"conv": {"filters": 2, "kernel": 3, "padding": "valid"}},
        ([5, 5, 1], "HWC"),
        (2, 3, 3),
        2 * 1 * 3 * 3 + 2,
        0,
        3 * 3 * 2 * 1 * 3 * 3,
    ),
    (
        "conv_groups3",
        {"conv": {"filters": 12, "kernel": 3, "padding": 1, "groups": 3}},
        ([8, 8, 6], "HWC"),
        (12, 8, 8),
        12 * (6 // 3) * 3 * 3 + 12,
        0,
        8 * 8 * 12 * (6 // 3) * 3 * 3,
    ),
    (
        "conv_fused_activation",
        {"conv": {"filters": 4, "kernel": 1, "activation": "relu"}},
        ([6, 6, 2], "HWC"),
        (4, 6, 6),
        4 * 2 + 4,
        0,
        6 * 6 * 4 * 2,
    ),
    (
        "conv_1d_TC",
        {"conv": {"filters": 32, "kernel": 5}},
        # (100 − 5)/1 + 1 = 96
        ([100, 16], "TC"),
        (32, 96),
        32 * 16 * 5 + 32,
        0,
        96 * 32 * 16 * 5,
    ),
    (
        "conv_1d_CT_stride",
        {"conv": {"filters": 8, "kernel": 3, "stride": 2, "padding": 1}},
        # (20 + 2 − 3)/2 + 1 = 10 (floor of 9.5)
        ([4, 20], "CT"),
        (8, 10),
        8 * 4 * 3 + 8,
        0,
        10 * 8 * 4 * 3,
    ),
    (
        "conv_3d_DHWC",
        {"conv": {"filters": 8, "kernel": 3, "stride": [1, 2, 2], "padding": 1}},
        # D: (8 + 2 − 3)/1 + 1 = 8;  H, W: (17 + 2 − 3)/2 + 1 = 9
        ([8, 17, 17, 3], "DHWC"),
        (8, 8, 9, 9),
        8 * 3 * 3 * 3 * 3 + 8,
        0,
        8 * 9 * 9 * 8 * 3 * 3 * 3 * 3,
    ),
    (
        "conv_3d_c3d_conv1",
        {"conv": {"filters": 64, "kernel": 3, "padding": 1}},
        # C3D conv1a: 3×3×3, 64 filters, 16×112×112 clips
        ([16, 112, 112, 3], "DHWC"),
        (64, 16, 112, 112),
        64 * 3 * 27 + 64,
        0,
        16 * 112 * 112 * 64 * 3 * 27,
    ),
    # --- depthwise_conv ----------------------------------------------------------------
    (
        "depthwise_k3_p1",
        {"depthwise_conv": {"kernel": 3, "padding": 1}},
        ([16, 16, 8], "HWC"),
        (8, 16, 16),
        8 * 3 * 3 + 8,
        0,
        16 * 16 * 8 * 3 * 3,
    ),
    (
        "depthwise_mult2_same_s2",
        {"depthwise_conv": {"kernel": 3, "stride": 2, "padding": "same", "depth_multiplier": 2, "bias": False}},
        # ceil(16/2) = 8 positions; 8·2 = 16 output channels, one 3×3 filter each
        ([16, 16, 8], "HWC"),
        (16, 8, 8),
        8 * 2 * 3 * 3,
        0,
        8 * 8 * 16 * 3 * 3,
    ),
    # --- separable_conv (Keras SeparableConv2D) -----------------------------------------
    (
        "separable_k3_same",
        {"separable_conv": {"filters": 32, "kernel": 3, "padding": "same"}},
        ([32, 32, 16], "HWC"),
        (32, 32, 32),
        3 * 3 * 16 + 16 * 32 + 32,
        0,
        32 * 32 * 16 * 3 * 3 + 32 * 32 * 16 * 32,
    ),
    (
        "separable_mult2",
        {"separable_conv": {"filters": 64, "kernel": 3, "padding": "same", "depth_multiplier": 2}},
        ([32, 32, 16], "HWC"),
        (64, 32, 32),
        3 * 3 * 16 * 2 + 16 * 2 * 64 + 64,
        0,
        32 * 32 * (16 * 2) * 3 * 3 + 32 * 32 * (16 * 2) * 64,
    ),
    # --- conv_transpose (PyTorch ConvTranspose2d) ---------------------------------------
    (
        "deconv_k4_s2_p1",
        {"conv_transpose": {"filters": 32, "kernel": 4, "stride": 2, "padding": 1}},
        # (7 − 1)·2 − 2·1 + 1·(4 − 1) + 0 + 1 = 14
        ([7, 7, 64], "HWC"),
        (32, 14, 14),
        64 * 32 * 4 * 4 + 32,
        0,
        7 * 7 * 64 * 32 * 4 * 4,
    ),
    (
        "deconv_output_padding",
        {"conv_transpose": {"filters": 8, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}},
        # (7 − 1)·2 − 2 + 2 + 1 + 1 = 14
        ([7, 7, 4], "HWC"),
        (8, 14, 14),
        4 * 8 * 3 * 3 + 8,
        0,
        7 * 7 * 4 * 8 * 3 * 3,
    ),
    (
        "deconv_dilation2",
        {"conv_transpose": {"filters": 2, "kernel": 3, "dilation": 2}},
        # (5 − 1)·1 − 0 + 2·(3 − 1) + 0 + 1 = 9
        ([5, 5, 3], "HWC"),
        (2, 9, 9),
        3 * 2 * 3 * 3 + 2,
        0,
        5 * 5 * 3 * 2 * 3 * 3,
    ),
    (
        "deconv_groups2",
        {"conv_transpose": {"filters": 4, "kernel": 3, "stride": 2, "groups": 2, "bias": False}},
        # (6 − 1)·2 + 2 + 1 = 13; weight (C_in, C_out/groups, k, k) = (8, 2, 3, 3)
        ([6, 6, 8], "HWC"),
        (4, 13, 13),
        8 * (4 // 2) * 3 * 3,
        0,
        6 * 6 * 8 * (4 // 2) * 3 * 3,
    ),
    (
        "deconv_1d",
        {"conv_transpose": {"filters": 4, "kernel": 5, "stride": 3}},
        # (10 − 1)·3 + 4 + 1 = 32
        ([10, 2], "TC"),
        (4, 32),
        2 * 4 * 5 + 4,
        0,
        10 * 2 * 4 * 5,
    ),
    # --- locally_connected (the CS231n notes: AlexNet conv1 without weight sharing) -------------
    (
        "local_cs231n_alexnet",
        {"locally_connected": {"filters": 96, "kernel": 11, "stride": 4}},
        # 55·55·96 = 290,400 neurons, each 11·11·3 = 363 weights + 1 bias
        ([227, 227, 3], "HWC"),
        (96, 55, 55),
        290_400 * 364,
        0,
        290_400 * 363,
    ),
    (
        "local_1d_nobias",
        {"locally_connected": {"filters": 3, "kernel": 2, "stride": 2, "bias": False}},
        ([8, 5], "TC"),
        (3, 4),
        4 * 3 * 5 * 2,
        0,
        4 * 3 * 5 * 2,
    ),
    # --- max_pool ------------------------------------------------------------------------
    (
        "maxpool_k3_s2_alexnet",
        {"max_pool": {"kernel": 3, "stride": 2}},
        # (55 − 3)/2 + 1 = 27
        ([55, 55, 96], "HWC"),
        (96, 27, 27),
        0,
        0,
        0,
    ),
    ("maxpool_k2_default_stride", {"max_pool": {"kernel": 2}}, ([224, 224, 64], "HWC"), (64, 112, 112), 0, 0, 0),
    (
        "maxpool_ceil_k2_s2_p1_on_15",
        {"max_pool": {"kernel": 2, "stride": 2, "padding": 1, "ceil_mode": True}},
        # ceil((15 + 2 − 2)/2) + 1 = 9, minus the window that would start in the right padding
        ([15, 15, 3], "HWC"),
        (3, 8, 8),
        0,
        0,
        0,
    ),
    (
        "maxpool_ceil_googlenet",
        {"max_pool": {"kernel": 3, "stride": 2, "ceil_mode": True}},
        # GoogLeNet: ceil((112 − 3)/2) + 1 = 56
        ([112, 112, 64], "HWC"),
        (64, 56, 56),
        0,
        0,
        0,
    ),
    (
        "maxpool_dilation2",
        {"max_pool": {"kernel": 2, "stride": 1, "dilation": 2}},
        # effective kernel 3: 5 − 3 + 1 = 3
        ([5, 5, 1], "HWC"),
        (1, 3, 3),
        0,
        0,
        0,
    ),
    (
        "maxpool_same_s2",
        {"max_pool": {"kernel": 3, "stride": 2, "padding": "same"}},
        # ceil(9/2) = 5
        ([9, 9, 2], "HWC"),
        (2, 5, 5),
        0,
        0,
        0,
    ),
    ("maxpool_1d", {"max_pool": {"kernel": 2}}, ([100, 16], "TC"), (16, 50), 0, 0, 0),
    (
        "maxpool_3d_c3d_pool1",
        {"max_pool": {"kernel": [1, 2, 2], "stride": [1, 2, 2]}},
        ([16, 112, 112, 64], "DHWC"),
        (64, 16, 56, 56),
        0,
        0,
        0,
    ),
    (
        "maxpool_nonsquare",
        {"max_pool": {"kernel": [3, 1], "stride": [2, 1], "padding": [1, 0]}},
        # H: (8 + 2 − 3)/2 + 1 = 4 (floor of 4.5); W unchanged
        ([8, 6, 2], "HWC"),
        (2, 4, 6),
        0,
        0,
        0,
    ),
    # --- avg_pool ------------------------------------------------------------------------
    ("avgpool_k2", {"avg_pool": {"kernel": 2}}, ([8, 8, 4], "HWC"), (4, 4, 4), 0, 0, 0),
    (
        "avgpool_ceil",
        {"avg_pool": {"kernel": 2, "stride": 2, "ceil_mode": True}},
        # ceil((7 − 2)/2) + 1 = 4; the 4th window starts at 6 < 7, inside the input
        ([7, 7, 4], "HWC"),
        (4, 4, 4),
        0,
        0,
        0,
    ),
    ("avgpool_1d_p1", {"avg_pool": {"kernel": 3, "stride": 1, "padding": 1}}, ([10, 3], "TC"), (3, 10), 0, 0, 0),
    ("avgpool_3d", {"avg_pool": {"kernel": 2}}, ([4, 8, 8, 2], "DHWC"), (2, 2, 4, 4), 0, 0, 0),
    # --- global pools ---------------------------------------------------------------------
    ("global_avg_flat", "global_avg_pool", ([7, 7, 512], "HWC"), (512,), 0, 0, 0),
    ("global_avg_keepdims", {"global_avg_pool": {"keepdims": True}}, ([7, 7, 512], "HWC"), (512, 1, 1), 0, 0, 0),
    (
        "global_avg_3d_keepdims",
        {"global_avg_pool": {"keepdims": True}},
        ([4, 7, 7, 32], "DHWC"),
        (32, 1, 1, 1),
        0,
        0,
        0,
    ),
    ("global_max_flat", "global_max_pool", ([7, 7, 64], "HWC"), (64,), 0, 0, 0),
    # x.mean([2, 3]) in ShuffleNetV2's head: 7·7 positions of 1024 channels to 1024
    ("mean_shufflenet_head", "mean", ([7, 7, 1024], "HWC"), (1024,), 0, 0, 0),
    ("global_max_1d_keepdims", {"global_max_pool": {"keepdims": True}}, ([50, 8], "TC"), (8, 1), 0, 0, 0),
    # --- adaptive pools -------------------------------------------------------------------
    ("adaptive_avg_alexnet", {"adaptive_avg_pool": {"output_size": 6}}, ([13, 13, 256], "HWC"), (256, 6, 6), 0, 0, 0),
    ("adaptive_avg_nonsquare", {"adaptive_avg_pool": {"output_size": [1, 3]}}, ([5, 9, 2], "HWC"), (2, 1, 3), 0, 0, 0),
    ("adaptive_max_7", {"adaptive_max_pool": {"output_size": [7, 7]}}, ([14, 14, 512], "HWC"), (512, 7, 7), 0, 0, 0),
    # --- flatten, dense -------------------------------------------------------------------
    ("flatten_vgg", "flatten", ([7, 7, 512], "HWC"), (7 * 7 * 512,), 0, 0, 0),
    (
        "dense_vgg_fc6",
        ["flatten", {"dense": {"units": 4096}}],
        ([7, 7, 512], "HWC"),
        (4096,),
        7 * 7 * 512 * 4096 + 4096,
        0,
        7 * 7 * 512 * 4096,
    ),
    (
        "dense_after_gap_nobias",
        ["global_avg_pool", {"dense": {"units": 10, "bias": False}}],
        ([4, 4, 64], "HWC"),
        (10,),
        64 * 10,
        0,
        64 * 10,
    ),
    ("dense_on_flat_input", {"dense": {"units": 3, "activation": "softmax"}}, ([20], "C"), (3,), 20 * 3 + 3, 0, 20 * 3),
    # ConvNeXt-T's first block.3: nn.Linear(96, 384) on a 56×56 channels-last map
    (
        "dense_over_channels_convnext",
        {"dense": {"units": 384, "over": "channels"}},
        ([56, 56, 96], "HWC"),
        (384, 56, 56),
        96 * 384 + 384,
        0,
        56 * 56 * 96 * 384,
    ),
    # --- normalization, dropout, padding ------------------------------------------------
    ("batch_norm", "batch_norm", ([8, 8, 16], "HWC"), (16, 8, 8), 2 * 16, 2 * 16, 0),
    ("batch_norm_no_affine", {"batch_norm": {"affine": False}}, ([8, 8, 16], "HWC"), (16, 8, 8), 0, 2 * 16, 0),
    (
        "batch_norm_no_running_stats",
        {"batch_norm": {"track_running_stats": False}},
        ([10, 6], "TC"),
        (6, 10),
        2 * 6,
        0,
        0,
    ),
    (
        "lrn_alexnet",
        {"lrn": {"size": 5, "alpha": 0.0001, "beta": 0.75, "k": 2}},
        ([55, 55, 96], "HWC"),
        (96, 55, 55),
        0,
        0,
        0,
    ),
    ("dropout_flat", ["flatten", {"dropout": {"rate": 0.3}}], ([2, 2, 5], "HWC"), (2 * 2 * 5,), 0, 0, 0),
    ("zero_pad_1", {"zero_pad": {"padding": 1}}, ([4, 4, 2], "HWC"), (2, 6, 6), 0, 0, 0),
    (
        "zero_pad_pairs",
        {"zero_pad": {"padding": [[1, 2], [0, 3]]}},
        # 4 + 1 + 2 = 7, 4 + 0 + 3 = 7
        ([4, 4, 2], "HWC"),
        (2, 7, 7),
        0,
        0,
        0,
    ),
    ("zero_pad_1d", {"zero_pad": {"padding": [[3, 0]]}}, ([10, 2], "TC"), (2, 13), 0, 0, 0),
    # --- merges (the merge itself has no parameters) ------------------------------------
    (
        "concat_inception_like",
        {
            "concat": {
                "branches": [
                    [{"conv": {"filters": 64, "kernel": 1}}],
                    [{"conv": {"filters": 128, "kernel": 3, "padding": 1}}],
                    [{"max_pool": {"kernel": 3, "stride": 1, "padding": 1}}],
                ]
            }
        },
        ([28, 28, 192], "HWC"),
        (64 + 128 + 192, 28, 28),
        0,
        0,
        0,
    ),
    (
        "concat_named_branches_1d",
        {
            "concat": {
                "branches": {
                    "a": [{"conv": {"filters": 5, "kernel": 3, "padding": 1}}],
                    "b": [],
                }
            }
        },
        ([12, 3], "TC"),
        (5 + 3, 12),
        0,
        0,
        0,
    ),
    (
        "add_residual",
        {
            "add": {
                "branches": [
                    [{"conv": {"filters": 16, "kernel": 3, "padding": 1}}, "batch_norm"],
                    [],
                ]
            }
        },
        ([8, 8, 16], "HWC"),
        (16, 8, 8),
        0,
        0,
        0,
    ),
    (
        "multiply_squeeze_excite",
        {
            "multiply": {
                "branches": [
                    [],
                    [
                        {"global_avg_pool": {"keepdims": True}},
                        {"conv": {"filters": 4, "kernel": 1}},
                        "relu",
                        {"conv": {"filters": 16, "kernel": 1}},
                        "sigmoid",
                    ],
                ]
            }
        },
        ([8, 8, 16], "HWC"),
        (16, 8, 8),
        0,
        0,
        0,
    ),
]

# --- the modern zoo's kinds: params as PyTorch counts them ------------------------------
CASES += [
    # nn.Upsample(scale_factor=2): floor(7·2) = 14; floor(7·1.5) = 10
    ("upsample_scale2", {"upsample": {"scale": 2}}, ([7, 7, 4], "HWC"), (4, 14, 14), 0, 0, 0),
    ("upsample_scale1p5_1d", {"upsample": {"scale": 1.5, "mode": "linear"}}, ([7, 3], "TC"), (3, 10), 0, 0, 0),
    ("upsample_size", {"upsample": {"size": [5, 9], "mode": "bilinear"}}, ([7, 7, 4], "HWC"), (4, 5, 9), 0, 0, 0),
    # nn.PixelShuffle(2): (8·2², 6, 6) → (8, 12, 12); nn.PixelUnshuffle(2) back
    ("pixel_shuffle", {"pixel_shuffle": {"factor": 2}}, ([6, 6, 32], "HWC"), (8, 12, 12), 0, 0, 0),
    ("pixel_unshuffle_reorg", {"pixel_unshuffle": {"factor": 2}}, ([26, 26, 64], "HWC"), (256, 13, 13), 0, 0, 0),
    ("channel_shuffle", {"channel_shuffle": {"groups": 3}}, ([8, 8, 12], "HWC"), (12, 8, 8), 0, 0, 0),
    # nn.GroupNorm(4, 16): weight and bias of 16; no running statistics
    ("group_norm", {"group_norm": {"groups": 4}}, ([8, 8, 16], "HWC"), (16, 8, 8), 16 + 16, 0, 0),
    # ConvNeXt's LayerNorm2d over 96 channels: 2·96; nn.LayerNorm([16, 8, 8]): 2·16·8·8
    ("layer_norm_channels", {"layer_norm": {"over": "channels"}}, ([56, 56, 96], "HWC"), (96, 56, 56), 2 * 96, 0, 0),
    ("layer_norm_all", {"layer_norm": {"over": "all"}}, ([8, 8, 16], "HWC"), (16, 8, 8), 2 * 16 * 8 * 8, 0, 0),
    # nn.InstanceNorm2d(16): nothing; with affine and running statistics: 2·16 and 2·16
    ("instance_norm", "instance_norm", ([8, 8, 16], "HWC"), (16, 8, 8), 0, 0, 0),
    (
        "instance_norm_affine",
        {"instance_norm": {"affine": True, "track_running_stats": True}},
        ([8, 8, 16], "HWC"),
        (16, 8, 8),
        2 * 16,
        2 * 16,
        0,
    ),
    # nn.PReLU(): 1 slope; nn.PReLU(16): 16
    ("prelu", "prelu", ([8, 8, 16], "HWC"), (16, 8, 8), 1, 0, 0),
    ("prelu_per_channel", {"prelu": {"per_channel": True}}, ([8, 8, 16], "HWC"), (16, 8, 8), 16, 0, 0),
    # ConvNeXt's layer scale γ of 96
    ("scale", "scale", ([56, 56, 96], "HWC"), (96, 56, 56), 96, 0, 0),
    # Keras Cropping2D(((1, 2), (0, 0))): 8 − 1 − 2 = 5 rows
    ("crop_pairs", {"crop": {"cropping": [[1, 2], [0, 0]]}}, ([8, 8, 3], "HWC"), (3, 5, 8), 0, 0, 0),
    ("crop_int", {"crop": {"cropping": 2}}, ([8, 8, 3], "HWC"), (3, 4, 4), 0, 0, 0),
    # U-Net's cropped skip: 64 − 60 = 4 positions cut, 2 at each side, to the 60×60 of a 5×5 conv
    (
        "crop_like_unet",
        [{"conv": {"name": "a", "filters": 4, "kernel": 5}}, {"crop": {"like": "a", "from": "input"}}],
        ([64, 64, 4], "HWC"),
        (4, 60, 60),
        0,
        0,
        0,
    ),
    # a segmentation head resized back to the input: 7 → max_pool 2 → 3 → like input → 7
    (
        "upsample_like_input",
        [{"max_pool": {"kernel": 2}}, {"upsample": {"like": "input", "mode": "bilinear"}}],
        ([7, 7, 4], "HWC"),
        (4, 7, 7),
        0,
        0,
        0,
    ),
    # ShuffleNetV2's channel split of 116: x[:, 58:], and x[:, :58]
    ("slice_second_half", {"slice": {"start": 58}}, ([28, 28, 116], "HWC"), (58, 28, 28), 0, 0, 0),
    ("slice_first_half", {"slice": {"stop": 58}}, ([28, 28, 116], "HWC"), (58, 28, 28), 0, 0, 0),
    # 4·4·8 = 128 elements as [2, -1] in the file's channels-last order: T 2, C 64
    ("reshape_infer", {"reshape": {"shape": [2, -1]}}, ([4, 4, 8], "HWC"), (64, 2), 0, 0, 0),
    # a squeeze-and-excitation gate from dense layers: 64 → 1×1×64 to broadcast over the map
    ("reshape_se_gate", ["flatten", {"reshape": {"shape": [1, 1, 64]}}], ([1, 1, 64], "HWC"), (64, 1, 1), 0, 0, 0),
    # Keras Conv2DTranspose(padding='same'): out = n·stride; real multiplications 7·7·64·32·3·3
    (
        "conv_transpose_same_keras",
        {"conv_transpose": {"filters": 32, "kernel": 3, "stride": 2, "padding": "same"}},
        ([7, 7, 64], "HWC"),
        (32, 14, 14),
        64 * 32 * 3 * 3 + 32,
        0,
        7 * 7 * 64 * 32 * 3 * 3,
    ),
]

# every activation: element-wise, same shape, nothing to learn, no weight multiplications
CASES += [(f"activation_{act}", act, ([4, 4, 3], "HWC"), (3, 4, 4), 0, 0, 0) for act in ACTIVATIONS]
