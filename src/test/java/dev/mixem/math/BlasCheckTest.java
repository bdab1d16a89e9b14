package dev.mixem.math;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.lapack.JavaLAPACK;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlasCheckTest {

    @Test
    void theJvmBlasIsReproducible() {
        assertNull(BlasCheck.firstIrreproducible(JavaBLAS.getInstance(), JavaLAPACK.getInstance()));
    }

    /** A BLAS whose dsyrk, like a kernel that changes its order of summation with alignment, rounds differently off an even offset. */
    @Test
    void aBlasWhoseBitsDependOnTheOffsetIsCaught() {
        BLAS java = JavaBLAS.getInstance();
        BLAS shaky = (BLAS) Proxy.newProxyInstance(BLAS.class.getClassLoader(), new Class<?>[]{BLAS.class},
                (proxy, method, args) -> {
                    Object out;
                    try {
                        out = method.invoke(java, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("dsyrk") && args.length == 12 && (int) args[10] % 2 == 1) {
                        double[] c = (double[]) args[9];
                        int at = (int) args[10];
                        c[at] = Math.nextUp(c[at]);
                    }
                    return out;
                });
        assertEquals("dsyrk", BlasCheck.firstIrreproducible(shaky, JavaLAPACK.getInstance()));
    }

    @Test
    void theChosenBlasPassesTheCheckOrTheNativeOneWasSetAside() {
        // Whatever this machine loads: mixem either uses a BLAS that passes, or says why it set one aside.
        String rejected = Linalg.nativeBlasRejected();
        if (rejected == null) {
            assertNull(BlasCheck.firstIrreproducible(Linalg.blas(), Linalg.lapack()));
        } else {
            assertTrue(rejected.contains("different bits"), rejected);
            assertTrue(!Linalg.blasName().startsWith("JNI"), Linalg.blasName());
        }
    }
}
