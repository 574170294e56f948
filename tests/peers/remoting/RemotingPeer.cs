// A .NET Remoting server on Mono's own channels, standing for SLNet: one well-known object
// at the URI DataMiner uses (SLNetService), on the HTTP channel (SLNet's, SLNet.exe.config
// <channel ref="http">) or the binary TCP channel, bound to loopback only.
// Usage: mono RemotingPeer.exe http|tcp PORT LIFETIME_SECONDS
using System;
using System.Collections;
using System.Runtime.Remoting;
using System.Runtime.Remoting.Channels;
using System.Runtime.Remoting.Channels.Http;
using System.Runtime.Remoting.Channels.Tcp;
using System.Threading;

public class SLNetService : MarshalByRefObject
{
    public string Ping() { return "pong"; }
}

public static class RemotingPeer
{
    public static void Main(string[] args)
    {
        var props = new Hashtable();
        props["port"] = int.Parse(args[1]);
        props["bindTo"] = "127.0.0.1";
        props["name"] = args[0];
        IChannel channel = args[0] == "http" ? (IChannel)new HttpChannel(props, null, null)
                                             : new TcpChannel(props, null, null);
        ChannelServices.RegisterChannel(channel, false);
        RemotingConfiguration.RegisterWellKnownServiceType(typeof(SLNetService), "SLNetService",
                                                           WellKnownObjectMode.Singleton);
        Console.WriteLine("ready");
        Thread.Sleep(int.Parse(args[2]) * 1000);
    }
}
