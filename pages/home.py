"""Home: what the lab does and where to start."""

import streamlit as st

st.title("Recognition Lab")
st.markdown(
    "Build, train, examine and re-purpose a convolutional network for handwriting, and see every step."
)
cols = st.columns(3)
cols[0].markdown("**1. Train**  \nTrain the assignment network on MNIST and watch accuracy grow epoch by epoch.")
cols[1].markdown("**2. Your handwriting**  \nDraw digits or upload phone photos and see what the network reads.")
cols[2].markdown("**3. Look inside**  \nFilters, activations, embeddings of Greek letters, and architecture sweeps.")
st.info("The sidebar shows the **active model** every page uses. A trained default model ships with the lab.")
