"""Data: look at the training data - the first examples, their labels, and how many of each class."""

from __future__ import annotations

import streamlit as st

from app.html_views import class_count_table
from app.resources import dataset
from app.widgets import png_bytes
from core.data.views import class_counts, examples, pixel_stats
from core.data.datasets import DATASETS, TITLES
from core.errors import DatasetUnavailable


@st.cache_data(max_entries=4, show_spinner=False)
def stats_of(name: str) -> dict:
    """Pixel statistics of a dataset (a pass over 47 million pixels: computed once)."""
    return pixel_stats(dataset(name))


st.title("Data")
c1, c2 = st.columns([2, 1])
name = c1.selectbox("Dataset", DATASETS, format_func=TITLES.get, key="data_dataset",
                    help="CIFAR-10 is not offered: every page of the lab works on 28x28 greyscale images.")
split = c2.radio("Split", ("train", "test"), horizontal=True, key="data_split")
try:
    data = dataset(name)
except DatasetUnavailable as exc:
    st.error(str(exc))
    st.stop()

stats = stats_of(name)
st.caption(f"{stats['train']:,} training and {stats['test']:,} test images of {stats['shape']} pixels; "
           f"training pixel mean {stats['mean']:.4f}, std {stats['std']:.4f} (on a 0-1 scale). "
           f"Source: `{data.source}`.")

st.subheader(f"The first two {split} examples")
idx, images, labels = examples(data, split, 0, 2)
cols = st.columns(4)
for col, i, image, label in zip(cols, idx, images, labels):
    name = data.class_names[label]
    col.image(png_bytes(image, scale=8), width=224,
              caption=f"{split} #{i}" + ("" if name == str(label) else f", class {label}"))
    col.markdown(f"**Label: {name}**")

st.subheader("More examples")
c1, c2 = st.columns(2)
count = c1.slider("How many", 10, 200, 50, 10, key="data_count")
start = c2.number_input("Starting at index", 0, len(data.y_train if split == "train" else data.y_test) - 1, 0,
                        key="data_start")
idx, images, labels = examples(data, split, start, count)
st.image([png_bytes(im, scale=2) for im in images],
         caption=[f"#{i}: {data.class_names[lab]}" for i, lab in zip(idx, labels)], width=72)

st.subheader("Images per class")
st.html(class_count_table(class_counts(data)))
st.caption("Each column's bars are drawn to the scale of its largest class.")
