using System.Runtime.CompilerServices;

namespace XcsCt.Integration;

internal static class ThreadPoolSetup
{
    /// <summary>
    /// Several cluster nodes share this one process, and the fake frame chains block their worker
    /// threads on purpose (a node caught mid-run). On a 2-core machine the thread pool would start
    /// with 2 threads and add more only slowly, starving the nodes' actors and remoting of threads
    /// meanwhile; a real node never blocks its pool like this.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
