using Microsoft.AspNetCore.Builder;

namespace RekorPosix.Http;

/// <summary>
/// ASP.NET's slim host, minus what it does behind an operator's back. By default its content root
/// is the working directory, whose appsettings files it loads and watches for changes with one
/// inotify watch per directory below it, recursively: 28,000 watches and a few MiB of heap when
/// started from /tmp, the whole file system under systemd's default working directory "/". Our
/// configuration is the command line alone, so no file or environment variable is read as
/// configuration, and nothing is watched.
/// </summary>
internal static class SlimHost
{
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Configuration.Sources.Clear();
        return builder;
    }
}
