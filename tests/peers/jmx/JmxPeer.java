// A Java process with OpenJDK's built-in JMX agent (the one Cassandra's nodetool talks to on
// 7199): the agent is configured on the command line; this only keeps the JVM alive.
// Usage: java -Dcom.sun.management.jmxremote.port=PORT ... JmxPeer.java LIFETIME_SECONDS
public class JmxPeer {
    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready");
        Thread.sleep(Long.parseLong(args[0]) * 1000);
    }
}
