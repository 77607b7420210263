#!/usr/bin/python3
"""PyTorch peer for the trainer benchmark: the classic pytorch/examples MNIST recipe.

Same network, optimiser and schedule as examples/mnist/main.py (with conv2 at 62 channels),
but reading the IDX files directly so it needs only Debian's python3-torch and python3-numpy:

    /usr/bin/python3 packages/trainer/src/bench/pytorch_reference.py --epochs 1 --limit-steps 100 --no-test --json

Human log lines go to stderr in the example's format; --json adds one JSON object on stdout.
Timing covers only training steps (forward, backward, optimiser step), not batching or testing.
"""
import argparse
import copy
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR

MEAN, STD = 0.1307, 0.3081
LOG_INTERVAL = 10
WARMUP_STEPS = 2
REPO_ROOT = Path(__file__).resolve().parents[4]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 62, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(62 * 12 * 12, 128)  # 28 -> 26 -> 24 -> pool -> 12
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = torch.flatten(x, 1)
        x = self.dropout2(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def read_idx(path, magic):
    """Reads a gzip IDX file: big-endian int32 magic and dimensions, then unsigned bytes."""
    if not path.is_file():
        sys.exit(f"'--data-dir' must contain {path.name}; not found in {path.parent} "
                 "(set --data-dir or ONNXPIPE_DATA_DIR)")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = magic & 0xFF
    header = np.frombuffer(raw, dtype=">i4", count=1 + ndim)
    if header[0] != magic:
        sys.exit(f"{path.name}: magic must be {magic}; received {header[0]}")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + ndim)).reshape(header[1:])


def load_split(data_dir, prefix):
    images = read_idx(data_dir / f"{prefix}-images-idx3-ubyte.gz", 2051)
    labels = read_idx(data_dir / f"{prefix}-labels-idx1-ubyte.gz", 2049)
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return (x - MEAN) / STD, torch.from_numpy(labels.astype(np.int64))


def train_step(model, optimizer, data, target):
    optimizer.zero_grad()
    loss = F.nll_loss(model(data), target)
    loss.backward()
    optimizer.step()
    return loss


def warm_up(model, optimizer, x, y, batch_size):
    """Runs a few steps on throwaway copies so allocator and kernel set-up stay out of the
    timing, while the real model, optimiser and RNG stream stay exactly as the recipe has them."""
    state = copy.deepcopy((model.state_dict(), optimizer.state_dict()))
    with torch.random.fork_rng(devices=[]):
        for _ in range(WARMUP_STEPS):
            train_step(model, optimizer, x[:batch_size], y[:batch_size])
    model.load_state_dict(state[0])
    optimizer.load_state_dict(state[1])


def train(args, model, optimizer, x, y, epoch, generator):
    model.train()
    n, seconds, steps, images = len(x), 0.0, 0, 0
    num_batches = (n + args.batch_size - 1) // args.batch_size
    order = torch.randperm(n, generator=generator)
    for batch_idx in range(num_batches):
        if args.limit_steps is not None and batch_idx >= args.limit_steps:
            break
        idx = order[batch_idx * args.batch_size:(batch_idx + 1) * args.batch_size]
        data, target = x[idx], y[idx]
        start = time.perf_counter()
        loss = train_step(model, optimizer, data, target)
        seconds += time.perf_counter() - start
        steps, images = steps + 1, images + len(data)
        if batch_idx % LOG_INTERVAL == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{n} "
                  f"({100.0 * batch_idx / num_batches:.0f}%)]\tLoss: {loss.item():.6f}",
                  file=sys.stderr)
    return seconds, steps, images


def test(model, x, y, batch_size=1000):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            output = model(x[i:i + batch_size])
            target = y[i:i + batch_size]
            loss += F.nll_loss(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    loss /= len(x)
    print(f"\nTest set: Average loss: {loss:.4f}, Accuracy: {correct}/{len(x)} "
          f"({100.0 * correct / len(x):.0f}%)\n", file=sys.stderr)
    return loss, correct / len(x)


def parse_args():
    default_data = os.environ.get("ONNXPIPE_DATA_DIR") or REPO_ROOT.parent / "shared/datasets/mnist"
    p = argparse.ArgumentParser(description="PyTorch MNIST reference (benchmark peer)")
    p.add_argument("--data-dir", type=Path, default=Path(default_data))
    p.add_argument("--epochs", type=int, default=14)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--limit-steps", type=int, default=None, metavar="N",
                   help="stop each epoch after N training steps")
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-test", action="store_true")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    return p.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    train_x, train_y = load_split(args.data_dir, "train")
    test_x, test_y = (None, None) if args.no_test else load_split(args.data_dir, "t10k")

    model = Net()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    warm_up(model, optimizer, train_x, train_y, args.batch_size)

    epochs, seconds, steps, images, accuracy = [], 0.0, 0, 0, None
    for epoch in range(1, args.epochs + 1):
        s, n, imgs = train(args, model, optimizer, train_x, train_y, epoch, generator)
        test_loss, accuracy = (None, None) if args.no_test else test(model, test_x, test_y)
        scheduler.step()
        seconds, steps, images = seconds + s, steps + n, images + imgs
        epochs.append({"epoch": epoch, "train_seconds": round(s, 4),
                       "images_per_second": round(imgs / s, 1) if s else None,
                       "test_loss": test_loss, "test_accuracy": accuracy})

    if args.json:
        print(json.dumps({
            "framework": "pytorch", "torch_version": torch.__version__,
            "threads": torch.get_num_threads(), "batch_size": args.batch_size,
            "steps": steps, "images": images, "seconds": round(seconds, 4),
            "images_per_second": round(images / seconds, 1) if seconds else None,
            "test_accuracy": accuracy, "epochs": epochs,
            # ru_maxrss is in KiB on Linux.
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }))


if __name__ == "__main__":
    main()
