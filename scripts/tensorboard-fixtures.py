#!/usr/bin/env python3
"""Writes TensorBoard event files the way other programs do, with the real `tensorboard` package.

Usage: scripts/tensorboard-fixtures.py LOGDIR

Two runs: LOGDIR/keras/train (TF2-style tensor scalars from tensorboard.summary.Writer) and
LOGDIR/torch (PyTorch-style records built from TensorBoard's own protos and written by its
EventFileWriter: simple_value scalars, a Summary.Image PNG, a histogram, and TF2 image-plugin
string tensors with the plugin named on the first value only). The TensorBoardFormat tests run it;
Tests/Fixtures/tensorboard-logdir is its output, committed for the end-to-end tests.
"""
import sys, os, struct, zlib
import numpy as np
from tensorboard.summary import Writer
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata, HistogramProto
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

logdir = sys.argv[1]
w = Writer(os.path.join(logdir, "keras", "train"))
for step in range(5):
    w.add_scalar("epoch_d_loss", 1.0 / (step + 1), step=step)
    w.add_scalar("epoch_g_loss", 2.0 + step, step=step)
w.flush(); w.close()

def png(width, height, rgb):
    ch = 3 if rgb else 1
    rows = b"".join(b"\0" + bytes((x * 9 + y * 5 + c * 80) & 255 for x in range(width) for c in range(ch)) for y in range(height))
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

ew = EventFileWriter(os.path.join(logdir, "torch"))
for step in range(3):
    values = [Summary.Value(tag="Loss/D/loss", simple_value=0.5 + step), Summary.Value(tag="Loss/G/loss", simple_value=-step)]
    ew.add_event(Event(wall_time=1000.0 + step, step=step, summary=Summary(value=values)))
image = Summary.Image(height=6, width=10, colorspace=3, encoded_image_string=png(10, 6, True))
ew.add_event(Event(wall_time=2000.0, step=2, summary=Summary(value=[Summary.Value(tag="samples", image=image)])))
histo = HistogramProto(min=0, max=1, num=2, sum=1, sum_squares=1, bucket_limit=[1], bucket=[2])
ew.add_event(Event(wall_time=2001.0, step=2, summary=Summary(value=[Summary.Value(tag="weights", histo=histo)])))
for step in range(2):
    tensor = TensorProto(dtype=7, tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=4)]),
                         string_val=[b"7", b"3", png(7, 3, False), png(7, 3, False)])
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="images")) if step == 0 else None
    value = Summary.Value(tag="tf2/gen", tensor=tensor, metadata=meta)
    ew.add_event(Event(wall_time=3000.0, step=10 + step, summary=Summary(value=[value])))
ew.flush(); ew.close()
print("written")
