// What `jlens jshell` imports after JShell's defaults: every package of jlens' library.
import dev.jlens.*;
import dev.jlens.analysis.*;
import dev.jlens.bench.*;
import dev.jlens.cache.*;
import dev.jlens.dataset.*;
import dev.jlens.experiment.*;
import dev.jlens.hooks.*;
import dev.jlens.hub.*;
import dev.jlens.io.*;
import dev.jlens.model.*;
import dev.jlens.patching.*;
import dev.jlens.sae.*;
import dev.jlens.tensor.*;
import dev.jlens.tokenizer.*;
import dev.jlens.util.*;
import dev.jlens.viz.*;
