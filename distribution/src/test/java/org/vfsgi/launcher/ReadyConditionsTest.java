package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import org.vfsgi.launcher.ReadyConditions.ServiceCondition;

class ReadyConditionsTest {

    private static Properties properties(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    @Test
    void parsesOneConditionPerServiceKeySortedByName() throws Exception {
        List<ServiceCondition> conditions = ReadyConditions.parse(properties("""
                # comment lines and blank lines are ignored

                service.ram0 = (&(objectClass=org.vfsgi.hw.Device)(vfsgi.hw.name=ram0))
                service.gogo = (objectClass=org.apache.felix.service.command.CommandProcessor)
                """));
        assertEquals(List.of(
                new ServiceCondition("gogo", "(objectClass=org.apache.felix.service.command.CommandProcessor)"),
                new ServiceCondition("ram0", "(&(objectClass=org.vfsgi.hw.Device)(vfsgi.hw.name=ram0))")),
                conditions);
        assertEquals("service ram0 (&(objectClass=org.vfsgi.hw.Device)(vfsgi.hw.name=ram0))",
                conditions.get(1).toString());
    }

    @Test
    void emptyFileMeansNoServiceConditions() throws Exception {
        assertEquals(List.of(), ReadyConditions.parse(properties("# nothing to wait for\n")));
    }

    @Test
    void malformedFilterNamesTheKeyAndTheFilter() throws Exception {
        Properties p = properties("service.disk0 = (&(objectClass=org.vfsgi.hw.Device)(vfsgi.hw.name=disk0)\n");
        LaunchException e = assertThrows(LaunchException.class, () -> ReadyConditions.parse(p));
        assertTrue(e.getMessage().startsWith("conf/ready.properties: service.disk0 has a malformed filter "
                + "'(&(objectClass=org.vfsgi.hw.Device)(vfsgi.hw.name=disk0)'"), e.getMessage());
    }

    @Test
    void keyWithoutServicePrefixIsRejected() throws Exception {
        LaunchException e = assertThrows(LaunchException.class,
                () -> ReadyConditions.parse(properties("servce.ram0 = (a=b)\n")));
        assertEquals("conf/ready.properties: key 'servce.ram0' must be service.<name> = <LDAP filter>",
                e.getMessage());
        assertThrows(LaunchException.class, () -> ReadyConditions.parse(properties("service. = (a=b)\n")));
    }

    @Test
    void theCommandProcessorConditionIsAValidFilter() throws Exception {
        Properties p = new Properties();
        p.setProperty("service." + ReadyConditions.COMMAND_PROCESSOR.name(), ReadyConditions.COMMAND_PROCESSOR.filter());
        assertEquals(List.of(ReadyConditions.COMMAND_PROCESSOR), ReadyConditions.parse(p));
    }
}
