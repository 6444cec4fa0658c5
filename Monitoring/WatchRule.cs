namespace RekorPosix.Monitoring;

/// <summary>One line of the watch file, in its canonical spelling (as reports name it).</summary>
/// <param name="Line">Its line number in the file, from 1.</param>
internal sealed record WatchRule(int Line, string Text);
