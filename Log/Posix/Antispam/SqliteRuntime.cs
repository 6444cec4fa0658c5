using System.Reflection;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace RekorPosix.Log.Antispam;

/// <summary>
/// Points Microsoft.Data.Sqlite at the system SQLite, once per process. Native AOT links
/// libsqlite3.a into the executable (DirectPInvoke in the project file), so nothing is loaded at
/// run time; the JIT build (tests) loads the shared library, which Debian names libsqlite3.so.0
/// (the unversioned name comes only with the -dev package).
/// </summary>
internal static class SqliteRuntime
{
    private const string ImportName = "sqlite3";
    private const string SharedLibrary = "libsqlite3.so.0";
    private static readonly Lazy<bool> Initialised = new(Initialise);

    public static void EnsureInitialised() => _ = Initialised.Value;

    private static bool Initialise()
    {
        NativeLibrary.SetDllImportResolver(typeof(SQLite3Provider_sqlite3).Assembly, Resolve);
        raw.SetProvider(new SQLite3Provider_sqlite3());
        return true;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != ImportName)
            return IntPtr.Zero;
        if (NativeLibrary.TryLoad(SharedLibrary, assembly, searchPath, out IntPtr handle))
            return handle;
        // Fall back to the default probing (libsqlite3.so and friends).
        return IntPtr.Zero;
    }
}
