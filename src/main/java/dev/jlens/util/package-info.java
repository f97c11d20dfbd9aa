/**
 * Python's and rich's text formatting, to the byte, for output that must equal TransformerLens' transcripts.
 *
 * <ul>
 *   <li>{@link dev.jlens.util.PyRepr}: {@code repr()} of str, int, lists and tuples (Python 3.11).</li>
 *   <li>{@link dev.jlens.util.PyFormat}: {@code f"{x:5.2f}"}, {@code f"{x:6.2%}"}, {@code f"{x: <8}"}.</li>
 *   <li>{@link dev.jlens.util.RichText}: what {@code rich.print(markup)} writes to a non-terminal (rich 14.3).</li>
 * </ul>
 *
 * <p>{@code utils.test_prompt}'s rich-printed parts, for example, are
 * <pre>{@code
 * String markup = "Performance on answer token:\n"
 *     + "[b]Rank: " + PyFormat.leftAlign(rank, 8) + " Logit: " + PyFormat.fixed(logit, 5, 2)
 *     + " Prob: " + PyFormat.percent(prob, 6, 2) + " Token: |" + token + "|[/b]";
 * out.print(RichText.render(markup, RichText.consoleWidth()));
 * out.print(RichText.render("[b]Ranks of the answer tokens:[/b] "
 *     + PyRepr.list(List.of(new PyRepr.Tuple(token, rank))), RichText.consoleWidth()));
 * }</pre>
 * with {@code logit} and {@code prob} the float32 values (widened to double exactly) and {@code out} writing
 * UTF-8. A token that makes the markup invalid (the answer token {@code "[/"} turns the Ranks line into a
 * closing tag that closes nothing) raises an {@link java.lang.IllegalArgumentException} carrying rich's
 * MarkupError message, where Python's {@code test_prompt} raises MarkupError.
 */
package dev.jlens.util;
