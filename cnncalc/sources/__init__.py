"""Sources: what a network is read from, and the reading of it into one checked description.

  library     a built-in name, a file or standard input -> (file label, text)
  yaml_text   YAML text -> plain values that remember their lines
  document    the network format's keys and checks (the expander calls them as it goes)
  options     a kind's options checked against its declarations

Readers of other formats (Caffe, Keras, ONNX, Darknet) belong here: each turns its file into
the same description the YAML reader makes, so nothing after this package knows the format."""
