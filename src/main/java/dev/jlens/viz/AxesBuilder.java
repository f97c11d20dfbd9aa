package dev.jlens.viz;

/** The settings a figure with x and y axes takes besides its data: id, titles and size. */
abstract class AxesBuilder<B extends AxesBuilder<B>> {
    private final int minSize;
    String id, title, xTitle, yTitle;
    int width, height;

    AxesBuilder(int minSize) {
        this.minSize = minSize;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    public B id(String id) {
        this.id = Figures.checkId(id);
        return self();
    }

    public B title(String title) {
        this.title = title;
        return self();
    }

    public B xTitle(String t) {
        this.xTitle = t;
        return self();
    }

    public B yTitle(String t) {
        this.yTitle = t;
        return self();
    }

    /** Overall size in pixels (default: the figure's own, for a heatmap from its rows and columns). */
    public B size(int width, int height) {
        if (width < minSize || height < minSize || width > 20000 || height > 20000) {
            throw new IllegalArgumentException("size must be " + minSize + "..20000 pixels, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        return self();
    }
}
