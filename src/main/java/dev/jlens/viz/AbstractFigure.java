package dev.jlens.viz;

/** What every {@link Figure} holds: its element id, its title and its size in CSS pixels. */
abstract class AbstractFigure {
    final String id, title;
    /** Set once, by the figure's constructor, when its layout is known. */
    int width, height;

    AbstractFigure(String id, String title) {
        this.id = id;
        this.title = title;
    }

    final void size(int width, int height) {
        this.width = width;
        this.height = height;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }
}
