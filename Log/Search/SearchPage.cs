namespace RekorPosix.Log.Search;

/// <summary>Which part of a query's answer to return: the indices above <see cref="After"/> and
/// below <see cref="Below"/> (the published tree size), ascending, at most <see cref="Limit"/>.</summary>
internal readonly record struct SearchPage(long After, long Below, int Limit);
