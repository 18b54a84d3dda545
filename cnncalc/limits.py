"""Every resource bound in one place. Each stops a hostile or mistaken input with a clear
error long before it costs a second or 200 MB; the README's "Limits" section lists them
(a test keeps the two in step). Standard library only."""

# reading
MAX_FILE_BYTES = 2_000_000  # a network file, or standard input
MAX_YAML_DEPTH = 100  # nested YAML collections (counted on the parser's events)
MAX_YAML_VALUES = 1_000_000  # values in the document once aliases and merges are expanded
MAX_NUMBER_DIGITS = 40  # digits of one number written in the file or on the command line

# building the graph
MAX_NODES = 100_000  # layers after expansion
MAX_EXPANSION_STEPS = 1_000_000  # list items and block calls visited while expanding
MAX_NESTING = 64  # blocks and branches inside one another
MAX_OUTPUTS = 32  # declared outputs (each is traced back through the graph)
MAX_SIZE = 10_000_000  # any size: filters, units, kernel, stride, padding, input sizes, repeat
MAX_BATCH = 1_000_000  # --batch
MAX_OUTPUT_SIZE = 10**15  # any size of a layer's output (a flatten's may pass MAX_SIZE), and of a receptive field

# expressions (${…})
MAX_EXPRESSION_LENGTH = 500  # characters
MAX_MAGNITUDE = 10**15  # any value inside an expression
MAX_ROUND_DIGITS = 15  # round(x, n) takes |n| up to this
MAX_EXPRESSIONS_PER_VALUE = 100  # ${…} in one text value, such as a name

# output
MAX_SWEEP = 1_000  # combinations of values and inputs one `cnncalc sweep` computes
MAX_SWEEP_PARAMS = 8  # parameters one sweep varies
MAX_SWEEP_VALUES = 100  # values of one parameter, and inputs, in one sweep
MAX_SOLVE_SIZE = 100_000  # `cnncalc solve`'s sizes: it tries every combination for one size
MAX_SOLVE_KERNEL = 11  # what solve searches: kernels (and paddings) up to this,
MAX_SOLVE_STRIDE = 4  # strides
MAX_SOLVE_DILATION = 4  # and dilations up to these
MAX_TABLE_ROWS = 2_000  # rows of the human table; past it, --depth or a machine format
MAX_ECHO = 80  # characters of a user's value repeated in an error message
